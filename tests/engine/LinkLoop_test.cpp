// Link loops ([ussd] loop_threads; engine/LinkLoop.cpp) in a whole Engine against a real SMSC
// on loopback (an SmppServer on a thread of its own): the ussd-only links are spread over the
// loops and the others stay on the main loop; a dial on each spread link gets its screen on
// that link; a password issued on a loop leaves as an SMS on the main loop's SMS link; the
// metrics and readiness count the loops' links and dialogues; and the engine stops with the
// loops' dialogues ended and their links unbound.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "RunningEngineTestSupport.hpp"
#include "smpp/SmppNetTestSupport.hpp"
#include "smpp/SmppText.hpp"

namespace link_loop_test {

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

// The SMSC and USSD centre: accounts "u1", "u2", "u3" (the USSD links) and "s" (the SMS
// link); records what the engine submits, by account.
struct Centre {
    std::mutex mu;
    std::map<std::string, std::vector<smpp::SubmitSm>> submitted;
    std::atomic<int> count{0};
    smpp::test::TestApp app;
    std::unique_ptr<smpp::test::ServerThread> server;

    Centre() {
        app.server_request = [this](const smpp::PeerInfo& peer, const smpp::Pdu& p,
                                    smpp::SmppReply r) {
            if (auto* sm = std::get_if<smpp::SubmitSm>(&p.body)) {
                std::lock_guard lk(mu);
                submitted[peer.link].push_back(*sm);
            }
            r.accept("id-" + std::to_string(++count));
        };
        auto cfg = smpp::test::test_server_config();
        cfg.accounts.clear();
        for (const char* id : {"u1", "u2", "u3", "s"}) {
            smpp::AccountConfig a;
            a.system_id = id;
            a.password = Secret("secret");
            a.roles = {"sms", "ussd"};
            cfg.accounts.push_back(std::move(a));
        }
        server = std::make_unique<smpp::test::ServerThread>(cfg, &app);
    }
    std::vector<smpp::SubmitSm> of(const std::string& account) {
        std::lock_guard lk(mu);
        return submitted[account];
    }
    // A subscriber dials `code` on the link bound as `account`.
    void dial(const std::string& account, const std::string& msisdn, const std::string& code,
              std::uint8_t op_begin) {
        smpp::DeliverSm d;
        d.service_type = "USSD";
        d.source = {1, 1, msisdn};
        d.destination = {0, 0, "141"};
        d.short_message = code;
        d.tlvs.ussd_service_op = op_begin;
        auto sent = server->on_io([&](smpp::SmppServer& s) {
            return s.send_to(account, d, [](smpp::RequestOutcome&) {});
        });
        REQUIRE(sent.ok());
    }
};

std::string text_of(const smpp::SubmitSm& sm) {
    auto t =
        smpp::decode_text(sm.data_coding, sm.tlvs.message_payload.value_or("") + sm.short_message);
    REQUIRE(t.ok());
    return *t;
}

// Three ussd-only links on two loops; the SMS link on the main loop.
void spread_links(config::EngineConfig& cfg, std::uint16_t port) {
    cfg.ussd.loop_threads = 2;
    REQUIRE(cfg.smpp.clients.size() == 1);
    const smpp::ClientLinkConfig shipped = cfg.smpp.clients[0];
    cfg.smpp.clients.clear();
    for (const char* id : {"u1", "u2", "u3", "s"}) {
        smpp::ClientLinkConfig link = shipped;
        link.name = std::string("link-") + id;
        link.port = port;
        link.system_id = id;
        link.password = Secret("secret");
        link.reconnect_min = std::chrono::milliseconds(10);
        link.roles = {id[0] == 's' ? "sms" : "ussd"};
        cfg.smpp.clients.push_back(std::move(link));
    }
}

}  // namespace

TEST_CASE("LinkLoop: ussd-only links on their own loops answer dials; passwords go out as SMS") {
    Centre centre;
    RunningEngine e({}, USSDGW_SOURCE_DIR "/menus/cabinet",
                    [&](config::EngineConfig& cfg) { spread_links(cfg, centre.server->port()); });
    const auto& loops = e.engine->link_loops();
    REQUIRE(loops.size() == 2);
    CHECK(loops[0]->serves("link-u1"));
    CHECK(loops[1]->serves("link-u2"));
    CHECK(loops[0]->serves("link-u3"));
    REQUIRE(e.engine->smpp().links().size() == 1);  // the SMS link stays on the main loop
    CHECK(e.engine->smpp().links()[0]->name() == "link-s");

    auto all_ok = [&] {
        for (const auto& c : e.engine->readiness())
            if (!c.ok) return false;
        return true;
    };
    REQUIRE(e.run_until(all_ok));

    const std::uint8_t op_begin = e.engine->config().ussd.defaults.op_begin;
    centre.dial("u1", "375291000001", "*141#", op_begin);
    centre.dial("u2", "375291000002", "*141#", op_begin);
    centre.dial("u3", "375291000003", "*141*0#", op_begin);
    // Two menus, one final screen, one password SMS.
    REQUIRE(e.run_until([&] { return centre.count.load() >= 4; }));
    for (const char* account : {"u1", "u2"}) {
        CAPTURE(account);
        auto screens = centre.of(account);
        REQUIRE(screens.size() == 1);
        CHECK(screens[0].tlvs.ussd_service_op == e.engine->config().ussd.defaults.op_continue);
        CHECK(text_of(screens[0]).find("Личный кабинет") != std::string::npos);
    }
    auto final_screen = centre.of("u3");
    REQUIRE(final_screen.size() == 1);
    CHECK(final_screen[0].destination.address == "375291000003");
    CHECK(final_screen[0].tlvs.ussd_service_op == e.engine->config().ussd.defaults.op_end);
    auto sms = centre.of("s");
    REQUIRE(sms.size() == 1);
    CHECK(sms[0].destination.address == "375291000003");
    CHECK_FALSE(sms[0].tlvs.ussd_service_op);

    const std::string scrape = e.engine->metrics().render();
    CHECK(scrape.find("ussdgw_ussd_dialogues_begun_total{ingress=\"smpp\"} 3") !=
          std::string::npos);
    CHECK(scrape.find("ussdgw_ussd_dialogues_active{ingress=\"smpp\"} 2") != std::string::npos);
    for (const char* link : {"link-u1", "link-u2", "link-u3", "link-s"}) {
        CAPTURE(link);
        CHECK(scrape.find(std::string("ussdgw_smpp_link_bound{link=\"") + link + "\"} 1") !=
              std::string::npos);
    }

    // Stopping ends the loops' open dialogues with a final screen, then unbinds their links.
    REQUIRE(e.stop());
    for (const char* account : {"u1", "u2"}) {
        CAPTURE(account);
        auto screens = centre.of(account);
        REQUIRE(screens.size() == 2);
        CHECK(screens[1].tlvs.ussd_service_op == e.engine->config().ussd.defaults.op_end);
    }
    for (const auto& loop : loops)
        for (const char* link : {"link-u1", "link-u2", "link-u3"})
            CHECK_FALSE(loop->bound(link));
}

TEST_CASE("LinkLoop: without loop_threads every link stays on the main loop") {
    Centre centre;
    RunningEngine e({}, USSDGW_SOURCE_DIR "/menus/cabinet", [&](config::EngineConfig& cfg) {
        spread_links(cfg, centre.server->port());
        cfg.ussd.loop_threads = 0;
    });
    CHECK(e.engine->link_loops().empty());
    CHECK(e.engine->smpp().links().size() == 4);
}

}  // namespace link_loop_test
