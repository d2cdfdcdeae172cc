// SmppSmsIngress, the listener's sms role, against real parts: the engine's SmppService
// listening on loopback, an integrator that binds to it with a real client link
// (SmppClientLink) and submits, and the real outbox (a temporary SQLite file whose
// completions are posted to the io_context the test thread runs, every wait bounded). What
// is read from a submit_sm is IntegratorSms_test's; the receipt queue's rules are
// ClientReceiptQueue_test's.
#include "engine/sms/SmppSmsIngress.hpp"

#include <doctest/doctest.h>

#include "engine/EngineTestSupport.hpp"
#include "smpp/SmppClientLink.hpp"
#include "smpp/SmppNetTestSupport.hpp"

namespace smpp_sms_ingress_test {

using namespace ussdgw;
using namespace std::chrono_literals;

namespace {

// The engine's routing of a listener account's requests and binds (Engine.cpp), in short.
struct Routing : smpp::SmppApplication {
    sms::SmppSmsIngress* ingress = nullptr;
    void on_server_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                           smpp::SmppReply reply) override {
        if (ingress && ingress->serves(peer.link)) return ingress->on_request(peer, request, reply);
        reply.reject(smpp::kNotServed);
    }
    void on_server_bind(const smpp::PeerInfo& peer, smpp::BindType, bool) override {
        if (ingress) ingress->on_bind(peer.link);
    }
};

// The listener with account "esme" (sms role, `throughput` SMS/s, `max_queued` waiting) and
// "centre" (ussd role only), the ingress on it, and the integrator bound as "esme", whose
// answer to each receipt deliver_sm is `receipt_status`.
struct Gateway : test::LoopStorageHarness {
    Routing routing;
    smpp::test::TestApp integrator;
    std::vector<smpp::DeliverSm> receipts;  // as the integrator received them
    std::uint32_t receipt_status = smpp::status::ok;
    int kicks = 0;
    std::unique_ptr<smpp::SmppService> smpp;
    std::unique_ptr<sms::SmppSmsIngress> ingress;
    std::shared_ptr<smpp::SmppClientLink> client;

    explicit Gateway(double throughput = 0, std::uint32_t max_queued = 10) {
        smpp::SmppConfig sc;
        sc.server = smpp::test::test_server_config();
        sc.server.accounts[0].sms_throughput = throughput;
        sc.server.accounts[0].sms_max_queued = max_queued;
        smpp::AccountConfig centre;
        centre.system_id = "centre";
        centre.password = Secret("secret");
        centre.roles = {"ussd"};
        sc.server.accounts.push_back(centre);
        smpp = std::make_unique<smpp::SmppService>(io, sc, routing);
        sms::SmsConfig cfg;
        cfg.poll_interval = 50ms;
        cfg.receipt_retry = 100ms;
        ingress = std::make_unique<sms::SmppSmsIngress>(io, cfg, *st, *smpp, [this] { ++kicks; });
        routing.ingress = ingress.get();
        smpp->start();

        integrator.link_request = [this](const smpp::PeerInfo&, const smpp::Pdu& p,
                                         smpp::SmppReply reply) {
            REQUIRE(std::holds_alternative<smpp::DeliverSm>(p.body));
            receipts.push_back(std::get<smpp::DeliverSm>(p.body));
            if (receipt_status == smpp::status::ok) return reply.accept();
            reply.reject(receipt_status);
        };
        client = smpp::SmppClientLink::create(
            io, smpp::test::test_link_config("integrator", smpp->server()->port()), integrator);
        client->start();
        REQUIRE(run_until([&] { return client->bound(); }));
    }
    ~Gateway() {
        ingress->stop();
        bool unbound = false, stopped = false;
        client->stop([&] { unbound = true; });
        run_until([&] { return unbound; });
        smpp->stop([&] { stopped = true; });
        run_until([&] { return stopped; });
    }

    smpp::RequestOutcome submit(const std::string& to, const std::string& text) {
        smpp::SubmitSm s;
        s.source = {5, 0, "SHOP"};
        s.destination = {1, 1, to};
        s.registered_delivery = 1;
        s.short_message = text;
        std::optional<smpp::RequestOutcome> out;
        client->submit(s, [&out](smpp::RequestOutcome& o) { out = o; });
        REQUIRE(run_until([&] { return out.has_value(); }));
        return *out;
    }
    int queued() {
        auto n = outbox<int>(
            [](storage::SmsOutbox& o, std::int64_t) { return o.count_client_queued("esme"); });
        REQUIRE(n.ok());
        return *n;
    }
    // The SMSC took every waiting message and reported it delivered: its receipt is due.
    void deliver_all() {
        auto done = outbox<Ok>([](storage::SmsOutbox& o, std::int64_t now) -> Result<Ok> {
            auto claimed = o.claim_due(now, 10);
            if (!claimed) return Failure{claimed.error()};
            for (const auto& m : *claimed) {
                const std::string smpp_id = "smsc-" + std::to_string(m.id);
                if (auto r = o.mark_submitted(m.id, {smpp_id}, now); !r) return Failure{r.error()};
                if (auto r = o.apply_receipt(smpp_id, "DELIVRD", now); !r)
                    return Failure{r.error()};
            }
            return Ok{};
        });
        REQUIRE(done.ok());
    }
};

}  // namespace

TEST_CASE("SmppSmsIngress: an SMS is answered after its commit, under a new id") {
    Gateway g;
    CHECK(g.ingress->serves("esme"));
    CHECK_FALSE(g.ingress->serves("centre"));  // no sms role
    auto first = g.submit("375291000001", "hello");
    REQUIRE(first.ok());
    CHECK(g.queued() == 1);  // in the outbox by the time the answer came
    CHECK(g.kicks == 1);
    auto second = g.submit("375291000002", "again");
    REQUIRE(second.ok());
    CHECK_FALSE(first.message_id().empty());
    CHECK(first.message_id() != second.message_id());
    CHECK(g.ingress->stats().accepted == 2);
}

TEST_CASE("SmppSmsIngress: refused with the status that says why, and nothing is queued") {
    SUBCASE("a destination that is not a subscriber number") {
        Gateway g;
        CHECK(g.submit("+375291000001", "hi").status == smpp::status::invdstadr);
        CHECK(g.queued() == 0);
        CHECK(g.ingress->stats().refused == 1);
        CHECK(g.kicks == 0);
    }
    SUBCASE("the account's queue is full (decided in the transaction)") {
        Gateway g(0, 1);
        CHECK(g.submit("375291000001", "one").ok());
        CHECK(g.submit("375291000002", "two").status == smpp::status::msgqful);
        CHECK(g.queued() == 1);
        CHECK(g.ingress->stats().queue_full == 1);
    }
    SUBCASE("faster than the account's sms_throughput") {
        Gateway g(1);  // one SMS a second, a burst of one
        CHECK(g.submit("375291000001", "one").ok());
        CHECK(g.submit("375291000002", "two").status == smpp::status::throttled);
        CHECK(g.queued() == 1);
        CHECK(g.ingress->stats().throttled == 1);
    }
}

TEST_CASE("SmppSmsIngress: a receipt goes back as deliver_sm until the integrator takes it") {
    Gateway g;
    g.receipt_status = smpp::status::syserr;  // the integrator refuses the first one
    auto sent = g.submit("375291000001", "hello");
    REQUIRE(sent.ok());
    g.deliver_all();
    g.ingress->receipts_due();
    REQUIRE(g.run_until([&] { return g.receipts.size() == 1; }));
    g.receipt_status = smpp::status::ok;  // sent again after receipt_retry, and taken
    REQUIRE(g.run_until([&] { return g.ingress->stats().receipts_acked == 1; }));
    REQUIRE(g.receipts.size() == 2);
    const auto& r = g.receipts.back();
    CHECK(r.esm_class == 0x04);
    CHECK(r.source.address == "375291000001");
    CHECK(r.destination.address == "SHOP");
    CHECK(r.short_message.rfind("id:" + sent.message_id() + " ", 0) == 0);
    CHECK(r.short_message.find("stat:DELIVRD") != std::string::npos);
    auto due = g.outbox<std::vector<storage::ClientReceipt>>(
        [](storage::SmsOutbox& o, std::int64_t) { return o.client_receipts_due("esme", 10); });
    REQUIRE(due.ok());
    CHECK(due->empty());  // acknowledged durably: never sent again
    CHECK(g.ingress->stats().receipts_sent == 2);
}

}  // namespace smpp_sms_ingress_test
