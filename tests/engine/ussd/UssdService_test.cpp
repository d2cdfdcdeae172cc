// UssdService, the USSD core's shell on the event loop, fed neutral events by an in-test
// ingress (a sink that records screens): the real cabinet menus, the real storage (a
// temporary SQLite file whose completions are posted to the service's io_context) behind the
// cabinet bridge, and the service's own steady_timer on that io_context, run by the test
// thread (every wait bounded). The SMPP and HTTP ingresses over it are tested in
// SmppUssdIngress_test.cpp and http/ussd/.
#include "engine/ussd/UssdService.hpp"

#include <doctest/doctest.h>

#include "engine/EngineTestSupport.hpp"
#include "engine/ussd/UssdTestSupport.hpp"

namespace ussd_service_test {

using namespace ussdgw;
using namespace ussdgw::ussd;
using namespace std::chrono_literals;
using test::contains;

namespace {

const char* kIngress = "test:ingress";
const char* kMsisdn = "375291000001";

struct Service : test::LoopStorageHarness, test::CabinetDomain {
    std::vector<UssdScreen> screens;  // what the ingress's sink received
    std::unique_ptr<UssdService> service;

    explicit Service(std::chrono::milliseconds step_timeout = 30s) : CabinetDomain(*st) {
        service = std::make_unique<UssdService>(io, dialogues(step_timeout), performer(),
                                                password_issued());
        service->register_ingress(kIngress, [this](const UssdScreen& s) { screens.push_back(s); });
    }

    void dial(const std::string& session, const std::string& code,
              const std::string& msisdn = kMsisdn) {
        service->begin(UssdBegin{{kIngress, session}, msisdn, "141", code});
    }
    const UssdDialogues::IngressStats& stats() const {
        return service->dialogues().stats().at(kIngress);
    }
};

}  // namespace

TEST_CASE("ussd service: an action is performed in storage and its screen reaches the sink") {
    Service s;
    s.dial("s1", "*141*0#");
    CHECK(s.screens.empty());  // the password is issued asynchronously
    REQUIRE(s.run_until([&] { return !s.screens.empty(); }));
    REQUIRE(s.screens.size() == 1);
    CHECK(s.screens[0].key == IngressKey{kIngress, "s1"});
    CHECK(s.screens[0].final);
    CHECK(contains(s.screens[0].text, "SMS"));
    CHECK(s.performed == 1);
    CHECK(s.passwords_issued == 1);  // the SMS service is told at once
    CHECK(s.service->dialogues().active() == 0);
}

TEST_CASE("ussd service: its own timer ends a step the subscriber does not answer") {
    Service s(150ms);
    auto t0 = std::chrono::steady_clock::now();
    s.dial("s1", "*141#");
    REQUIRE(s.screens.size() == 1);  // the menu needs no storage: shown at once
    CHECK_FALSE(s.screens[0].final);
    REQUIRE(s.run_until([&] { return s.screens.size() == 2; }));
    CHECK(std::chrono::steady_clock::now() - t0 >= 150ms);
    CHECK(s.screens[1].final);
    CHECK(contains(s.screens[1].text, "Время ожидания"));
    CHECK(s.stats().ended_as(DialogueOutcome::timeout) == 1);
    CHECK(s.service->dialogues().active() == 0);
    CHECK_FALSE(s.service->dialogues().next_deadline());
}

TEST_CASE(
    "ussd service: a step timeout annuls the action it waits for; its late result is dropped") {
    Service s(150ms);
    s.hold_performs = true;
    s.dial("s1", "*141*3*6#");  // the access state is looked up first
    REQUIRE(s.held.size() == 1);
    REQUIRE(s.run_until([&] { return s.screens.size() == 1; }));
    CHECK(s.screens[0].final);
    CHECK(s.service->dialogues().active() == 0);
    // The storage answer that comes after the timeout changes nothing.
    s.held[0].done({std::string(menus::outcome::ok), {}});
    s.settle();
    CHECK(s.screens.size() == 1);
}

TEST_CASE("ussd service: an ingress that goes away ends its dialogues; later results do nothing") {
    Service s;
    s.hold_performs = true;
    std::vector<UssdScreen> other;
    s.service->register_ingress("test:other",
                                [&](const UssdScreen& screen) { other.push_back(screen); });
    s.dial("s1", "*141*3*6#");
    s.service->begin(UssdBegin{{"test:other", "o1"}, kMsisdn, "141", "*141#"});
    REQUIRE(other.size() == 1);
    REQUIRE(s.held.size() == 1);
    s.service->unregister_ingress(kIngress);
    CHECK(s.service->ingresses() == std::vector<std::string>{"test:other"});
    CHECK(s.service->dialogues().active() == 1);  // the other ingress's dialogue goes on
    s.held[0].done({"access.open", {}});
    s.settle();
    CHECK(s.screens.empty());  // ended silently: no sink to answer on
    CHECK(other.size() == 1);
}

TEST_CASE("ussd service: shutdown ends every dialogue with a final screen, then ignores events") {
    Service s;
    s.dial("s1", "*141#");
    s.dial("s2", "*141#", "375291000002");
    REQUIRE(s.screens.size() == 2);
    s.service->shutdown();
    REQUIRE(s.screens.size() == 4);
    CHECK(s.screens[2].final);
    CHECK(s.screens[3].final);
    CHECK(s.service->dialogues().active() == 0);
    int performed = s.performed;
    s.dial("s3", "*141*0#");
    s.settle();
    CHECK(s.screens.size() == 4);
    CHECK(s.performed == performed);
    CHECK(s.passwords_issued == 0);
}

TEST_CASE("ussd service: a storage result that arrives after the service is gone does nothing") {
    Service s;
    s.hold_performs = true;
    s.dial("s1", "*141*0#");
    REQUIRE(s.held.size() == 1);
    s.service.reset();
    s.held[0].done({std::string(menus::outcome::ok), {}});  // guarded by the service's Lifetime
    s.settle();
    CHECK(s.screens.empty());
    CHECK(s.passwords_issued == 0);
}

}  // namespace ussd_service_test
