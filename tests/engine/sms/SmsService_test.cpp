// SmsService, the SMS sender's shell on the event loop, against real parts: two in-test SMSCs
// (SmppServer on loopback TCP) that the service's two client links with the "sms" role bind
// to, and the real outbox (a temporary SQLite file whose completions are posted to the same
// io_context, which the test thread runs with every wait bounded). The outbox's own rules
// (parts, retries, receipts) are in SmsSender_test.cpp; the choice of a way in SmsLinks_test.
#include "engine/sms/SmsService.hpp"

#include <doctest/doctest.h>

#include "engine/EngineTestSupport.hpp"
#include "smpp/SmppNetTestSupport.hpp"
#include "smpp/SmppServer.hpp"

namespace sms_service_test {

using namespace ussdgw;
using namespace std::chrono_literals;
using sms::SmsRoute;

namespace {

// An SMSC for one client link: it answers each submit_sm with a fresh message id, or, while
// `silent`, keeps the answer back (the client link's response timeout then runs out).
struct Smsc : smpp::SmppApplication {
    std::string name;
    bool silent = false;
    int submits = 0;
    std::vector<smpp::SmppReply> held;
    std::shared_ptr<smpp::SmppServer> server;

    Smsc(boost::asio::io_context& io, std::string n) : name(std::move(n)) {
        smpp::ServerConfig c;
        c.enabled = true;
        c.port = 0;
        c.timers.enquire_link_interval = 0ms;
        c.timers.unbind_timeout = 300ms;
        smpp::AccountConfig a;
        a.system_id = "engine";
        a.password = Secret("secret");
        a.roles = {"sms"};
        c.accounts.push_back(std::move(a));
        server = smpp::SmppServer::create(io, std::move(c), *this);
        server->start();
    }
    void on_server_request(const smpp::PeerInfo&, const smpp::Pdu&,
                           smpp::SmppReply reply) override {
        ++submits;
        if (silent) {
            held.push_back(std::move(reply));
            return;
        }
        reply.accept(name + "-" + std::to_string(submits));
    }
};

smpp::ClientLinkConfig link_to(const Smsc& smsc) {
    auto c = smpp::test::test_link_config(smsc.name, smsc.server->port(), "engine");
    c.roles = {"sms"};
    c.timers.response_timeout = 400ms;
    c.timers.unbind_timeout = 300ms;
    return c;
}

struct Gateway : test::LoopStorageHarness {
    Smsc a{io, "smsc-a"};
    Smsc b{io, "smsc-b"};
    smpp::SmppApplication app;
    std::unique_ptr<smpp::SmppService> smpp;
    std::unique_ptr<sms::SmsService> service;

    Gateway() {
        smpp::SmppConfig sc;
        sc.clients = {link_to(a), link_to(b)};
        smpp = std::make_unique<smpp::SmppService>(io, sc, app);
        sms::SmsConfig sms_cfg;
        sms_cfg.poll_interval = 50ms;
        service = std::make_unique<sms::SmsService>(io, sms_cfg, *st, *smpp);
    }
    ~Gateway() {
        if (service) service->stop();
        bool stopped = false;
        int servers = 0;
        smpp->stop([&] { stopped = true; });
        a.server->stop([&] { ++servers; });
        b.server->stop([&] { ++servers; });
        run_until([&] { return stopped && servers == 2; });
    }

    void start_bound() {
        smpp->start();
        REQUIRE(run_until(
            [&] { return smpp->link("smsc-a")->bound() && smpp->link("smsc-b")->bound(); }));
        service->start();
    }
    std::int64_t enqueue(const std::string& text) { return test::enqueue_sms(*this, text); }
    struct Sent {
        std::int64_t id;
        Smsc& link;
    };
    // Both links bound and silent, then `text` enqueued and sent once: its id and its link.
    Sent send_unanswered(const std::string& text) {
        start_bound();
        a.silent = b.silent = true;
        auto id = enqueue(text);
        service->kick();
        REQUIRE(run_until([&] { return a.submits + b.submits == 1; }));
        return {id, a.submits == 1 ? a : b};
    }
    storage::OutboxStatus status(std::int64_t id) { return test::outbox_status(*this, id); }
    std::uint64_t parts_sent(const std::string& link) const {
        auto it = service->parts_sent().find(SmsRoute{SmsRoute::Kind::client_link, link});
        return it == service->parts_sent().end() ? 0 : it->second;
    }
};

}  // namespace

TEST_CASE("sms service: the routes are the client links with the sms role") {
    Gateway g;
    CHECK(g.service->routes() == std::vector<SmsRoute>{{SmsRoute::Kind::client_link, "smsc-a"},
                                                       {SmsRoute::Kind::client_link, "smsc-b"}});
    CHECK_FALSE(g.service->serves_account("engine"));
}

TEST_CASE("sms service: messages are claimed only while a link is up, then by the poll timer") {
    Gateway g;
    g.service->start();  // no link bound yet
    auto id = g.enqueue("waits for a link");
    g.settle(200ms);  // several polls pass
    CHECK(g.status(id).state == storage::OutboxState::pending);
    CHECK(g.status(id).attempts == 0);
    g.smpp->start();
    // Nothing kicks the service here: its own poll timer finds the message once a link is up.
    REQUIRE(g.run_until([&] { return g.a.submits + g.b.submits == 1; }));
    REQUIRE(g.run_until([&] { return g.status(id).state == storage::OutboxState::submitted; }));
}

TEST_CASE("sms service: messages go round robin over the bound links") {
    Gateway g;
    g.start_bound();
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 4; ++i)
        ids.push_back(g.enqueue("message " + std::to_string(i)));
    g.service->kick();
    REQUIRE(g.run_until([&] { return g.a.submits + g.b.submits == 4; }));
    CHECK(g.a.submits == 2);
    CHECK(g.b.submits == 2);
    REQUIRE(g.run_until([&] { return g.parts_sent("smsc-a") + g.parts_sent("smsc-b") == 4; }));
    CHECK(g.parts_sent("smsc-a") == 2);
    CHECK(g.parts_sent("smsc-b") == 2);
    for (auto id : ids)
        REQUIRE(g.run_until([&] { return g.status(id).state == storage::OutboxState::submitted; }));
}

TEST_CASE("sms service: a part unanswered past its response timeout goes again on the other link") {
    Gateway g;
    auto [id, first] = g.send_unanswered("first try unanswered");
    Smsc& other = &first == &g.a ? g.b : g.a;
    other.silent = false;
    // Held through the response timeout and the late window (400 ms each), then reported:
    // the outbox schedules a retry.
    REQUIRE(g.run_until([&] { return g.service->stats().held == 1; }));
    REQUIRE(g.run_until([&] { return g.status(id).attempts == 1; }));
    auto st = g.status(id);
    CHECK(st.state == storage::OutboxState::pending);
    CHECK(st.last_error == "response timeout");
    CHECK(first.submits == 1);
    CHECK(other.submits == 0);
    // The retry is due after the outbox's backoff (its clock); the poll timer sends it, and
    // round robin takes the other link.
    g.clock.advance(g.cfg.outbox_backoff_initial + 1s);
    REQUIRE(g.run_until([&] { return other.submits == 1; }));
    REQUIRE(g.run_until([&] { return g.status(id).state == storage::OutboxState::submitted; }));
    CHECK(first.submits == 1);
    CHECK(g.status(id).attempts == 2);
}

TEST_CASE("sms service: an answer within the late window is the part's answer, not resent") {
    Gateway g;
    auto [id, first] = g.send_unanswered("answered late");
    // Past the response timeout (400 ms), within the late window (400 ms more): answer.
    g.settle(600ms);
    REQUIRE(first.held.size() == 1);
    first.held[0].accept("late-1");
    REQUIRE(g.run_until([&] { return g.service->stats().late_answers == 1; }));
    REQUIRE(g.run_until([&] { return g.status(id).state == storage::OutboxState::submitted; }));
    CHECK(g.status(id).attempts == 1);
    CHECK(g.a.submits + g.b.submits == 1);
}

}  // namespace sms_service_test
