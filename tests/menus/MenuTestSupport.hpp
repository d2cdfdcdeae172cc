// Helpers for the menus tests: the cabinet menus loaded from menus/cabinet, and a Session
// that drives one dialogue through the FakeDomain like the engine would.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "FakeDomain.hpp"
#include "menus/MenuLoader.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdDialogue.hpp"

namespace ussdgw::menus::test {

inline MenuSetPtr cabinet_menus() {
    static MenuSetPtr set = [] {
        auto r = load_menu_directory(USSDGW_SOURCE_DIR "/menus/cabinet");
        if (!r) FAIL(r.error().front().what());
        return *r;
    }();
    return set;
}

struct Session {
    FakeDomain& domain;
    UssdDialogue dialogue;
    TimePoint now = TimePoint{} + std::chrono::hours(1);
    DialogueOutput last;

    Session(FakeDomain& d, MenuSetPtr set = cabinet_menus(), DialogueSettings s = {})
        : domain(d), dialogue(std::move(set), std::move(s)) {}

    // Every screen the dialogue shows must respect the USSD limits.
    const DialogueOutput& check(DialogueOutput out) {
        last = std::move(out);
        if (last.has_screen) {
            auto fit = measure_screen(last.text);
            CHECK_MESSAGE(fit.fits(), last.text);
            CHECK(fit.encoding == last.encoding);
        }
        return last;
    }
    const DialogueOutput& begin(const std::string& msisdn, const std::string& code,
                                const std::string& lang = "") {
        return check(settle(dialogue, dialogue.begin(msisdn, code, lang, now), domain, now));
    }
    const DialogueOutput& answer(const std::string& text) {
        return check(settle(dialogue, dialogue.answer(text, now), domain, now));
    }
    const std::string& text() const { return last.text; }
    bool open() const { return last.has_screen && !last.end; }
    bool ended_with(std::string_view fragment) const {
        return last.has_screen && last.end && last.text.find(fragment) != std::string::npos;
    }
};

}  // namespace ussdgw::menus::test
