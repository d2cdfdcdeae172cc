// Helpers for the USSD core's tests (UssdService_test, SmppUssdIngress_test): the cabinet's
// domain behind a UssdService as the engine wires it (the real cabinet menus, the cabinet
// bridge to a real storage), with actions the test may keep back to complete them itself.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/cabinet/CabinetBridge.hpp"
#include "engine/ussd/UssdService.hpp"
#include "menus/MenuRegistry.hpp"

namespace ussdgw::test {

struct CabinetDomain {
    menus::MenuRegistry registry{USSDGW_SOURCE_DIR "/menus/cabinet"};
    std::unique_ptr<cabinet::CabinetBridge> bridge;
    struct Held {
        menus::ActionRequest request;
        std::function<void(menus::ActionResult)> done;
    };
    std::vector<Held> held;  // performs kept back while hold_performs
    bool hold_performs = false;
    int performed = 0;  // performs the service asked for
    int in_flight = 0;  // performs handed to the bridge and not finished
    int passwords_issued = 0;

    explicit CabinetDomain(storage::Storage& st) {
        REQUIRE(registry.reload().ok());
        bridge = std::make_unique<cabinet::CabinetBridge>(st.cabinet(), storage::Channel::ussd);
    }

    // The dialogue table over the cabinet menus (step timeout `step`, dialogue timeout 180 s).
    ussd::UssdDialogues dialogues(std::chrono::milliseconds step = std::chrono::seconds(30),
                                  ussd::UssdDialogues::LanguageOf language_of = {}) {
        menus::DialogueSettings settings;
        settings.step_timeout = step;
        settings.dialogue_timeout = std::chrono::seconds(180);
        return ussd::UssdDialogues([this] { return registry.current(); }, settings,
                                   std::move(language_of));
    }
    // What the service performs with: the bridge, unless the test holds performs back.
    ussd::UssdService::Performer performer() {
        return
            [this](const menus::ActionRequest& r, std::function<void(menus::ActionResult)> done) {
                ++performed;
                if (hold_performs) {
                    held.push_back({r, std::move(done)});
                    return;
                }
                ++in_flight;
                bridge->perform(r, [this, done = std::move(done)](menus::ActionResult res) {
                    --in_flight;
                    done(std::move(res));
                });
            };
    }
    std::function<void()> password_issued() {
        return [this] { ++passwords_issued; };
    }
};

inline bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

}  // namespace ussdgw::test
