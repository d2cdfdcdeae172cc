// A whole Engine in the test process (Engine.cpp wires and routes): it starts on the shipped
// configuration and reports its readiness (database and menus ready, a required client link
// that is down named with the reason), it binds its client link to a real SMSC (an
// SmppServer on loopback, on a thread of its own) and routes a USSD dial from it to the
// menus and the answer back as submit_sm, it keeps its menus when a reload finds a broken
// file, and it stops with every listener closed. (Routing through the ussdgw binary against
// independent peers: tests/interop/.)
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "RunningEngineTestSupport.hpp"
#include "engine/cli/ChildProcess.hpp"
#include "smpp/SmppNetTestSupport.hpp"
#include "smpp/SmppText.hpp"

namespace engine_test {

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

const http::ReadinessCheck* find_check(const std::vector<http::ReadinessCheck>& checks,
                                       const std::string& prefix) {
    for (const auto& c : checks)
        if (c.name.rfind(prefix, 0) == 0) return &c;
    return nullptr;
}

}  // namespace

TEST_CASE("Engine: ready but for a required client link that is down") {
    RunningEngine e;
    auto checks = e.engine->readiness();
    const auto* db = find_check(checks, "database");
    REQUIRE(db);
    CHECK(db->ok);
    const auto* menus = find_check(checks, "menus");
    REQUIRE(menus);
    CHECK(menus->ok);
    const auto* link = find_check(checks, "smpp.link.");
    REQUIRE(link);  // the shipped client link is required
    CHECK_FALSE(link->ok);
    CHECK_FALSE(link->detail.empty());
    REQUIRE(e.engine->http());
}

TEST_CASE("Engine: a link that is not required does not hold readiness back") {
    RunningEngine e(
        std::vector<std::pair<std::string, std::string>>{{"required = true", "required = false"}});
    for (const auto& c : e.engine->readiness()) {
        CAPTURE(c.name);
        CAPTURE(c.detail);
        CHECK(c.ok);
    }
}

TEST_CASE("Engine: ready once its link binds; a USSD dial on it gets the root menu") {
    // The USSD centre: records the engine's submit_sm (on the server's thread).
    std::mutex mu;
    std::vector<smpp::SubmitSm> screens;
    std::atomic<int> answered{0};
    smpp::test::TestApp centre;
    centre.server_request = [&](const smpp::PeerInfo&, const smpp::Pdu& p, smpp::SmppReply r) {
        if (auto* sm = std::get_if<smpp::SubmitSm>(&p.body)) {
            std::lock_guard lk(mu);
            screens.push_back(*sm);
        }
        r.accept("ok-1");
        ++answered;
    };
    smpp::test::ServerThread smsc(smpp::test::test_server_config(), &centre);
    RunningEngine e({}, USSDGW_SOURCE_DIR "/menus/cabinet", [&](config::EngineConfig& cfg) {
        REQUIRE(cfg.smpp.clients.size() == 1);
        auto& link = cfg.smpp.clients[0];
        link.port = smsc.port();
        link.system_id = "esme";
        link.password = Secret("secret");
        link.reconnect_min = std::chrono::milliseconds(10);
    });
    auto all_ok = [&] {
        for (const auto& c : e.engine->readiness())
            if (!c.ok) return false;
        return true;
    };
    REQUIRE(e.run_until(all_ok));

    const auto& profile = e.engine->config().ussd.link_profile("ussdc");
    smpp::DeliverSm dial;
    dial.service_type = "USSD";
    dial.source = {1, 1, "375291000001"};
    dial.destination = {0, 0, "141"};
    dial.short_message = "*141#";
    dial.tlvs.ussd_service_op = profile.op_begin;
    auto sent = smsc.on_io(
        [&](smpp::SmppServer& s) { return s.send_to("esme", dial, [](smpp::RequestOutcome&) {}); });
    REQUIRE(sent.ok());
    REQUIRE(e.run_until([&] { return answered.load() >= 1; }));
    smpp::SubmitSm screen;
    {
        std::lock_guard lk(mu);
        REQUIRE(screens.size() == 1);
        screen = screens[0];
    }
    CHECK(screen.destination.address == "375291000001");
    CHECK(screen.tlvs.ussd_service_op == profile.op_continue);
    auto text = smpp::decode_text(screen.data_coding,
                                  screen.tlvs.message_payload.value_or("") + screen.short_message);
    REQUIRE(text.ok());
    CHECK(text->find("Личный кабинет") != std::string::npos);
    CHECK(e.engine->ussd().dialogues().active() == 1);
}

TEST_CASE("Engine: a reload that finds a broken menu file keeps the menus it has") {
    storage::test::TempDir menus;
    std::filesystem::copy(USSDGW_SOURCE_DIR "/menus/cabinet", menus.path,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    RunningEngine e({}, menus.path.string());
    REQUIRE(e.engine->reload_menus().ok());
    std::string broken;
    for (const auto& f : std::filesystem::directory_iterator(menus.path))
        if (f.path().extension() == ".toml") broken = f.path().string();
    REQUIRE_FALSE(broken.empty());
    std::ofstream(broken, std::ios::app) << "\n[[[ not toml\n";
    auto reloaded = e.engine->reload_menus();
    CHECK_FALSE(reloaded.ok());
    const auto after = e.engine->readiness();
    const auto* m = find_check(after, "menus");
    REQUIRE(m);
    CHECK(m->ok);
}

TEST_CASE("Engine: stopped, it listens no more") {
    RunningEngine e;
    REQUIRE(e.engine->http());
    REQUIRE(e.engine->smpp().server());
    const std::uint16_t http_port = e.engine->http()->port();
    const std::uint16_t smpp_port = e.engine->smpp().server()->port();
    CHECK(cli::port_accepts(http_port));
    CHECK(cli::port_accepts(smpp_port));
    REQUIRE(e.stop());
    const auto checks = e.engine->readiness();
    const auto* engine = find_check(checks, "engine");
    REQUIRE(engine);
    CHECK_FALSE(engine->ok);
    CHECK_FALSE(cli::port_accepts(http_port));
    CHECK_FALSE(cli::port_accepts(smpp_port));
}

}  // namespace engine_test
