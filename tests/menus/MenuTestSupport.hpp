// Helpers for the menus tests: the cabinet menus loaded from menus/cabinet, a Session that
// drives one dialogue through the FakeDomain like the engine would, and the loader's errors
// for a menu set written inline (SampleMenus.hpp), each checked as "FILE:LINE: key 'KEY': ...".
#pragma once

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "FakeDomain.hpp"
#include "SampleMenus.hpp"
#include "menus/MenuLoader.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdDialogue.hpp"

namespace ussdgw::menus::test {

using MenuFiles = std::vector<std::pair<std::string, std::string>>;

// Every error of loading `files` (what() of each, in the loader's order).
inline std::vector<std::string> load_errors(const MenuFiles& files) {
    auto r = load_menu_texts(files);
    std::vector<std::string> out;
    if (!r)
        for (const auto& e : r.error())
            out.emplace_back(e.what());
    return out;
}
// The first error of loading `files`, "" when they load.
inline std::string first_load_error(const MenuFiles& files) {
    auto errors = load_errors(files);
    return errors.empty() ? "" : errors.front();
}
inline std::string first_load_error(const std::string& text) {
    return first_load_error({{"m.toml", text}});
}
// 1-based line of the first line containing `needle`.
inline int line_of(const std::string& text, const std::string& needle) {
    auto pos = text.find(needle);
    REQUIRE_MESSAGE(pos != std::string::npos, needle);
    return 1 + static_cast<int>(
                   std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
}
// The simple set (SampleMenus.hpp) with `from` replaced by `to`.
inline std::string simple_menus_with(const std::string& from, const std::string& to) {
    std::string t = simple_menus();
    auto pos = t.find(from);
    REQUIRE_MESSAGE(pos != std::string::npos, from);
    return t.replace(pos, from.size(), to);
}
// `text` (as m.toml) fails to load, first with `message` for `key` on the line of `marker`.
inline void expect_load_error(const std::string& text, const std::string& marker,
                              const std::string& key, const std::string& message) {
    std::string want = fmt::format("m.toml:{}: key '{}': {}", line_of(text, marker), key, message);
    CHECK(first_load_error(text) == want);
}

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
