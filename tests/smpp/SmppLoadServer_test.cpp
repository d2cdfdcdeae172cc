// SmppLoadServer, the SMSC side of `ussdgw bench ussd`, on 127.0.0.1 with a raw blocking
// client as the system under test: binds (password checked), submit_sm answered with the
// handler's status, deliver_sm queued within the window and their responses matched to
// tokens, bad frames answered and reported.
#include "smpp/SmppLoadServer.hpp"

#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "SmppNetTestSupport.hpp"
#include "SmppTestSupport.hpp"

namespace smpp_load_server_test {

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

namespace {

// Records what the server reports; called on the server's thread, read on the test's.
struct Recorder : SmppLoadServer::Handler {
    std::mutex m;
    std::vector<std::string> bound;  // system_id per bind
    int closed = 0, submits = 0, bad_frames = 0;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> deliver_resps;  // token, status
    std::uint32_t answer = status::ok;

    void on_bound(std::size_t, const BindRequest& b) override {
        std::lock_guard g(m);
        bound.push_back(b.system_id);
    }
    void on_link_closed(std::size_t) override {
        std::lock_guard g(m);
        ++closed;
    }
    std::uint32_t on_submit(std::size_t, const SubmitSm&, SmppLoadServer::TimePoint) override {
        std::lock_guard g(m);
        ++submits;
        return answer;
    }
    void on_deliver_resp(std::size_t, std::uint64_t token, std::uint32_t st,
                         SmppLoadServer::TimePoint) override {
        std::lock_guard g(m);
        deliver_resps.emplace_back(token, st);
    }
    void on_bad_frame(std::size_t, const DecodeError&) override {
        std::lock_guard g(m);
        ++bad_frames;
    }
    template <typename F>
    auto with(F f) {
        std::lock_guard g(m);
        return f();
    }
};

// An SmppLoadServer on an ephemeral port, run by its own thread until the fixture ends.
class LoadServerThread {
  public:
    explicit LoadServerThread(LoadServerOptions o) : server_(io_, std::move(o), rec) {
        server_.start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LoadServerThread() {
        boost::asio::post(io_, [this] { server_.close(); });
        thread_.join();
    }
    std::uint16_t port() const { return server_.port(); }
    // Runs `f` on the server's thread and returns its result.
    template <typename F>
    auto on_io(F f) {
        std::promise<decltype(f(server_))> p;
        auto fut = p.get_future();
        boost::asio::post(io_, [&] { p.set_value(f(server_)); });
        REQUIRE(fut.wait_for(5s) == std::future_status::ready);
        return fut.get();
    }

    Recorder rec;

  private:
    boost::asio::io_context io_;
    SmppLoadServer server_;
    std::thread thread_;
};

LoadServerOptions options(std::uint32_t window = 1000) {
    LoadServerOptions o;
    o.password = "pw";
    o.window = window;
    return o;
}

// Waits (bounded) until `pred` holds on the recorder.
template <typename Pred>
bool eventually(Recorder& r, Pred pred) {
    for (int i = 0; i < 500; ++i) {
        if (r.with(pred)) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

// The next PDU, retrying short read timeouts (the client's timeout is short so that "nothing
// comes" can be checked quickly).
std::optional<Pdu> next_pdu(RawClient& c) {
    for (int i = 0; i < 20; ++i)
        if (auto p = c.read_pdu()) return p;
    return std::nullopt;
}

}  // namespace

TEST_CASE("bind, submit_sm answered with the handler's status, enquire_link, unbind") {
    LoadServerThread s(options());
    RawClient c(s.port());
    auto b = c.bind("gw", "pw");
    CHECK(b.command_status == status::ok);
    CHECK(std::get<BindResponse>(b.body).system_id == "loadsrv");
    CHECK(s.rec.with([&] { return s.rec.bound == std::vector<std::string>{"gw"}; }));
    CHECK(s.on_io([](SmppLoadServer& srv) { return srv.bound_links(); }) == 1);

    REQUIRE(c.send(Pdu{status::ok, 2, test_submit()}));
    auto r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->command_status == status::ok);
    CHECK(r->sequence_number == 2);
    CHECK(std::get<SubmitSmResp>(r->body).message_id == "L1");
    s.rec.with([&] { return s.rec.answer = status::throttled; });
    REQUIRE(c.send(Pdu{status::ok, 3, test_submit()}));
    r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->command_status == status::throttled);
    CHECK(std::get<SubmitSmResp>(r->body).message_id.empty());
    CHECK(s.rec.with([&] { return s.rec.submits; }) == 2);

    REQUIRE(c.send(Pdu{status::ok, 4, EnquireLink{}}));
    r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(std::holds_alternative<EnquireLinkResp>(r->body));
    CHECK(r->sequence_number == 4);

    REQUIRE(c.send(Pdu{status::ok, 5, Unbind{}}));
    r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(std::holds_alternative<UnbindResp>(r->body));
    CHECK(c.closed_by_peer());
    CHECK(eventually(s.rec, [&] { return s.rec.closed == 1; }));
    CHECK(s.on_io([](SmppLoadServer& srv) { return srv.bound_links(); }) == 0);
}

TEST_CASE("a wrong password is refused with bindfail and the link closed") {
    LoadServerThread s(options());
    RawClient c(s.port());
    auto b = c.bind("gw", "nope");
    CHECK(b.command_status == status::bindfail);
    CHECK(c.closed_by_peer());
    CHECK(s.rec.with([&] { return s.rec.bound.empty(); }));
    CHECK(s.rec.with([&] { return s.rec.closed; }) == 0);  // never bound: no close reported
}

TEST_CASE("deliver_sm: at most `window` unanswered per link, responses come back by token") {
    LoadServerThread s(options(2));
    DeliverSm d;
    d.source.address = "79001234567";
    d.destination.address = "141";
    d.short_message = "*141#";
    // Nothing bound yet: nothing is queued.
    CHECK_FALSE(s.on_io([&](SmppLoadServer& srv) { return srv.send(0, d, 1); }));
    RawClient c(s.port(), 300ms);
    REQUIRE(c.bind("gw", "pw").command_status == status::ok);
    CHECK_FALSE(s.on_io([&](SmppLoadServer& srv) { return srv.send(1, d, 1); }));
    for (std::uint64_t token : {10, 11, 12})
        CHECK(s.on_io([&](SmppLoadServer& srv) { return srv.send(0, d, token); }));
    auto first = next_pdu(c), second = next_pdu(c);
    REQUIRE(first.has_value());
    REQUIRE(second.has_value());
    CHECK(std::get<DeliverSm>(first->body).short_message == "*141#");
    CHECK(first->sequence_number != second->sequence_number);
    CHECK_FALSE(c.read_pdu().has_value());  // the third waits for a free place in the window

    REQUIRE(c.send(Pdu{status::ok, first->sequence_number, DeliverSmResp{}}));
    auto third = next_pdu(c);
    REQUIRE(third.has_value());
    CHECK(std::holds_alternative<DeliverSm>(third->body));
    REQUIRE(c.send(Pdu{0x58, second->sequence_number, GenericNack{}}));
    REQUIRE(c.send(Pdu{status::ok, third->sequence_number, DeliverSmResp{}}));
    // A response to nothing outstanding is ignored.
    REQUIRE(c.send(Pdu{status::ok, third->sequence_number, DeliverSmResp{}}));
    CHECK(eventually(s.rec, [&] { return s.rec.deliver_resps.size() >= 3; }));
    auto got = s.rec.with([&] { return s.rec.deliver_resps; });
    CHECK(got == std::vector<std::pair<std::uint64_t, std::uint32_t>>{
                     {10, status::ok}, {11, 0x58}, {12, status::ok}});
}

TEST_CASE("a frame that does not decode is answered as the codec says; unframeable closes") {
    LoadServerThread s(options());
    RawClient c(s.port());
    REQUIRE(c.bind("gw", "pw").command_status == status::ok);
    REQUIRE(c.send(raw_header(16, 0xff, 0, 9)));  // an unknown command
    auto r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(std::holds_alternative<GenericNack>(r->body));
    CHECK(r->command_status == status::invcmdid);
    CHECK(r->sequence_number == 9);
    CHECK(s.rec.with([&] { return s.rec.bad_frames; }) == 1);
    REQUIRE(c.send(raw_header(16, 0x00000015, 0, 10)));  // enquire_link: still served
    r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(std::holds_alternative<EnquireLinkResp>(r->body));
    REQUIRE(c.send(raw_header(8, 0x00000015, 0, 11)));  // command_length below a header
    CHECK(c.closed_by_peer());
    CHECK(eventually(s.rec, [&] { return s.rec.bad_frames == 2 && s.rec.closed == 1; }));
}

}  // namespace smpp_load_server_test
