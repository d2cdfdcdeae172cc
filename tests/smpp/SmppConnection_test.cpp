// SmppConnection, the session's I/O shell, over real TCP on 127.0.0.1: a raw peer socket on
// the test thread, the connection on an io_context thread, and an Owner that records what
// it is told. What the session decides is tested in SmppSession_test; here: that the shell
// reports to its owner, answers through SmppReply (now or later), goes on with held input
// when an answer comes late, sends and reports outcomes, and lives and dies cleanly.
#include "smpp/SmppConnection.hpp"

#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "SmppNetTestSupport.hpp"

namespace smpp_connection_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

namespace {

// Records every report; answers requests at once (with the sequence number as message id)
// unless told to hold them.
struct RecordingOwner : SmppConnection::Owner {
    std::mutex m;
    std::vector<EventKind> events;
    std::vector<SmppReply> held;
    bool hold = false;
    int requests = 0, ready = 0, finished = 0;

    void on_session_event(SmppConnection&, const SessionEvent& e) override {
        std::lock_guard lock(m);
        events.push_back(e.kind);
    }
    void on_request(SmppConnection& c, const Pdu& request, SmppReply reply) override {
        std::lock_guard lock(m);
        ++requests;
        CHECK(c.bound());
        CHECK(reply.sequence_number() == request.sequence_number);
        if (hold)
            held.push_back(reply);
        else
            reply.accept(std::to_string(request.sequence_number));
    }
    void on_ready(SmppConnection&) override { ++ready; }
    void on_finished(SmppConnection&) override { ++finished; }
};

SessionConfig smsc_config() {
    SessionConfig c;
    c.role = Role::smsc;
    c.timers.enquire_link_interval = 0ms;
    c.authenticate = [](const BindRequest& r, TimePoint) {
        return BindVerdict{r.password == "pw" ? status::ok : status::bindfail, 0, {}};
    };
    return c;
}

// One connection (SMSC role) accepted from a raw peer, run on its own io_context thread.
class Fixture {
  public:
    explicit Fixture(SessionConfig config = smsc_config())
        : work_(asio::make_work_guard(io_)), owner_(std::make_shared<RecordingOwner>()) {
        asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
        peer = std::make_unique<RawClient>(acceptor.local_endpoint().port());
        asio::ip::tcp::socket socket(io_);
        acceptor.accept(socket);
        conn = SmppConnection::create(std::move(socket), std::move(config), owner_, 7);
        thread_ = std::thread([this] { io_.run(); });
        on_io([this] { conn->start(); });
    }
    ~Fixture() {
        on_io([this] { conn->abort(); });
        work_.reset();
        io_.stop();
        thread_.join();
        conn.reset();  // before the io_context it lives on
    }

    template <typename F>
    auto on_io(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto fut = task.get_future();
        asio::post(io_, [&task] { task(); });
        REQUIRE(fut.wait_for(5s) == std::future_status::ready);
        return fut.get();
    }
    // Waits (bounded) until `pred` holds, checked on the io thread.
    template <typename P>
    bool eventually(P pred) {
        for (int i = 0; i < 500; ++i) {
            if (on_io([&] {
                    std::lock_guard lock(owner_->m);
                    return pred(*owner_);
                }))
                return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }
    RecordingOwner& owner() { return *owner_; }
    void drop_owner() {
        on_io([this] { owner_.reset(); });
    }

    std::unique_ptr<RawClient> peer;
    std::shared_ptr<SmppConnection> conn;

  private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::shared_ptr<RecordingOwner> owner_;
    std::thread thread_;
};

}  // namespace

TEST_CASE("connection: reports the bind and requests to its owner; SmppReply answers them") {
    Fixture f;
    REQUIRE(f.peer->bind("gw", "pw").command_status == status::ok);
    CHECK(f.on_io([&] { return f.conn->bound(); }));
    CHECK(f.on_io([&] { return f.conn->bind_request().system_id; }) == "gw");
    REQUIRE(f.peer->send(Pdu{status::ok, 5, test_submit()}));
    auto r = f.peer->read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->sequence_number == 5);
    CHECK(std::get<SubmitSmResp>(r->body).message_id == "5");
    CHECK(f.eventually([](RecordingOwner& o) {
        return o.events == std::vector<EventKind>{EventKind::bound} && o.requests == 1;
    }));
}

TEST_CASE("connection: an answer given later goes out, and the held unbind follows it") {
    Fixture f;
    REQUIRE(f.peer->bind("gw", "pw").command_status == status::ok);
    f.on_io([&] { f.owner().hold = true; });
    // Two requests and an unbind in one write; the owner answers a while later.
    std::vector<std::uint8_t> bytes;
    REQUIRE(encode(Pdu{status::ok, 11, test_submit()}, bytes).ok());
    REQUIRE(encode(Pdu{status::ok, 12, test_submit()}, bytes).ok());
    REQUIRE(encode(Pdu{status::ok, 13, Unbind{}}, bytes).ok());
    REQUIRE(f.peer->send(bytes));
    REQUIRE(f.eventually([](RecordingOwner& o) { return o.held.size() == 2; }));
    CHECK(f.on_io([&] { return f.conn->state(); }) == SessionState::bound_trx);
    f.on_io([&] {
        auto held = f.owner().held;
        held[1].reject(status::syserr);  // answers in any order
        held[0].accept("late");
        held[0].accept("twice");  // ignored
    });
    auto a = f.peer->read_pdu();
    auto b = f.peer->read_pdu();
    auto u = f.peer->read_pdu();
    REQUIRE((a && b && u));
    CHECK(a->sequence_number == 12);
    CHECK(a->command_status == status::syserr);
    CHECK(b->sequence_number == 11);
    CHECK(std::get<SubmitSmResp>(b->body).message_id == "late");
    CHECK(std::holds_alternative<UnbindResp>(u->body));
    CHECK(f.peer->closed_by_peer());
    CHECK(f.eventually([](RecordingOwner& o) { return o.finished == 1; }));
    CHECK(f.owner().events.back() == EventKind::closed);
}

TEST_CASE("connection: send reports the response, and the loss of what the close left open") {
    Fixture f;
    REQUIRE(f.peer->bind("gw", "pw", BindType::receiver).command_status == status::ok);
    std::promise<RequestOutcome> first, second;
    DeliverSm d;
    d.short_message = "*141#";
    auto r = f.on_io(
        [&] { return f.conn->send(d, [&first](RequestOutcome& o) { first.set_value(o); }); });
    REQUIRE(r.ok());
    CHECK(f.on_io([&] { return f.conn->outstanding(); }) == 1);
    auto got = f.peer->read_pdu();
    REQUIRE(got.has_value());
    REQUIRE(f.peer->send(Pdu{status::ok, got->sequence_number, DeliverSmResp{}}));
    auto fut = first.get_future();
    REQUIRE(fut.wait_for(5s) == std::future_status::ready);
    CHECK(fut.get().ok());
    CHECK(f.eventually([](RecordingOwner& o) { return o.ready >= 1; }));
    // The next one is never answered: the peer goes away, the callback hears of it.
    REQUIRE(f.on_io([&] {
                 return f.conn->send(d, [&second](RequestOutcome& o) { second.set_value(o); });
             }).ok());
    REQUIRE(f.peer->read_pdu().has_value());
    f.peer.reset();
    auto lost = second.get_future();
    REQUIRE(lost.wait_for(5s) == std::future_status::ready);
    auto o = lost.get();
    CHECK(o.kind == RequestOutcome::Kind::timeout);
    CHECK(o.close_reason == CloseReason::transport);
}

TEST_CASE("connection: an owner that is gone is not called; its requests are refused") {
    Fixture f;
    REQUIRE(f.peer->bind("gw", "pw").command_status == status::ok);
    f.drop_owner();
    REQUIRE(f.peer->send(Pdu{status::ok, 9, test_submit()}));
    auto r = f.peer->read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->command_status == status::syserr);
    f.on_io([&] { f.conn->unbind(); });
    auto u = f.peer->read_pdu();
    REQUIRE(u.has_value());
    CHECK(std::holds_alternative<Unbind>(u->body));
    REQUIRE(f.peer->send(Pdu{status::ok, u->sequence_number, UnbindResp{}}));
    CHECK(f.peer->closed_by_peer());
}

TEST_CASE("connection: abort closes at once; answers and sends after it are ignored") {
    Fixture f;
    REQUIRE(f.peer->bind("gw", "pw").command_status == status::ok);
    f.on_io([&] { f.owner().hold = true; });
    REQUIRE(f.peer->send(Pdu{status::ok, 3, test_submit()}));
    REQUIRE(f.eventually([](RecordingOwner& o) { return o.held.size() == 1; }));
    f.on_io([&] { f.conn->abort(); });
    CHECK(f.peer->closed_by_peer());
    f.on_io([&] { f.owner().held[0].accept("too late"); });  // no crash, nothing sent
    CHECK(f.on_io([&] { return f.conn->finished(); }));
    CHECK(f.on_io([&] { return f.conn->send(DeliverSm{}, {}).error; }) == SendError::not_bound);
    CHECK(f.eventually([](RecordingOwner& o) { return o.finished == 1; }));
}

// A slow SMSC's answer after the response timeout reaches the request's callback a second
// time (late), so the SMS sender can take it instead of sending the part again.
TEST_CASE("connection: a response after the timeout runs the callback again, marked late") {
    SessionConfig c = smsc_config();
    c.timers.response_timeout = 200ms;
    Fixture f(c);
    REQUIRE(f.peer->bind("gw", "pw", BindType::receiver).command_status == status::ok);
    std::mutex m;
    std::vector<RequestOutcome> outcomes;
    DeliverSm d;
    d.short_message = "slow";
    REQUIRE(f.on_io([&] {
                 return f.conn->send(d, [&](RequestOutcome& o) {
                     std::lock_guard lock(m);
                     outcomes.push_back(o);
                 });
             }).ok());
    auto got = f.peer->read_pdu();
    REQUIRE(got.has_value());
    auto count = [&] {
        std::lock_guard lock(m);
        return outcomes.size();
    };
    auto until = [&](std::size_t n) {
        for (int i = 0; i < 500 && count() < n; ++i)
            std::this_thread::sleep_for(10ms);
        return count() >= n;
    };
    REQUIRE(until(1));
    {
        std::lock_guard lock(m);
        CHECK(outcomes[0].kind == RequestOutcome::Kind::timeout);
        CHECK(outcomes[0].close_reason == CloseReason::none);
        CHECK(outcomes[0].late_until.has_value());
    }
    REQUIRE(f.peer->send(Pdu{status::ok, got->sequence_number, DeliverSmResp{"m-1"}}));
    REQUIRE(until(2));
    std::lock_guard lock(m);
    CHECK(outcomes[1].kind == RequestOutcome::Kind::response);
    CHECK(outcomes[1].late);
    CHECK(outcomes[1].ok());
    CHECK(outcomes[1].message_id() == "m-1");
}

}  // namespace smpp_connection_test
