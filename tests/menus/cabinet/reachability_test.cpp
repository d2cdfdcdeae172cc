// Explores the cabinet menus exhaustively in every language: every option (and "more"), a
// valid and a malformed answer at every input, every outcome of every action (and one no
// menu knows). Every screen of the set must be reached and every rendered screen must fit.
#include <doctest/doctest.h>

#include <set>

#include "../MenuTestSupport.hpp"

namespace reachability_test {

using namespace ussdgw;
using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

namespace {
struct Explorer {
    const MenuSet& set;
    std::set<std::string> screens;  // screen ids reached
    std::set<std::string> states;   // language + screen + text already explored
    int screens_rendered = 0;
    TimePoint now = TimePoint{} + std::chrono::hours(1);

    void visit(const UssdDialogue& d, const DialogueOutput& out) {
        if (out.has_screen) {
            ++screens_rendered;
            auto fit = measure_screen(out.text);
            CHECK_MESSAGE(fit.fits(), out.text);
            CHECK(out.encoding == fit.encoding);
            CHECK_FALSE(out.text.empty());
        }
        if (!d.screen_id().empty()) screens.insert(d.screen_id());
        if (d.ended()) return;
        if (!states.insert(d.language() + "|" + d.screen_id() + "|" + out.text).second) return;
        if (out.action) {
            std::vector<std::string> outcomes;
            for (auto o : spec_of(out.action->kind).outcomes)
                outcomes.emplace_back(o);
            outcomes.push_back("no.such_outcome");
            for (const auto& o : outcomes) {
                UssdDialogue copy = d;
                ActionResult r{o, {{"attempts_left", "2"}, {"until", "2026-11-24 23:30"}}};
                visit(copy, copy.action_result(out.action->id, r, now));
            }
            return;
        }
        const Screen* s = set.screen(d.screen_id());
        REQUIRE(s);
        std::vector<std::string> answers;
        if (s->kind == ScreenKind::menu) {
            for (const auto& o : s->options)
                answers.push_back(o.key);
            answers.push_back(set.more_key);
            answers.push_back("99");
        } else if (s->kind == ScreenKind::input) {
            answers.push_back(std::string(s->rule.min_length, '7'));
            answers.push_back("x");
        }
        for (const auto& a : answers) {
            UssdDialogue copy = d;
            visit(copy, copy.answer(a, now));
        }
    }
};
}  // namespace

TEST_CASE("every screen of the cabinet is reachable and fits, in every language") {
    auto set = cabinet_menus();
    for (const auto& lang : set->languages) {
        CAPTURE(lang);
        Explorer e{*set, {}, {}};
        for (const char* code : {"*141#", "*141*3*6*375290000002#", "*141*99#", "*999#"}) {
            UssdDialogue d(set, DialogueSettings{});
            auto out = d.begin("375290000001", code, lang, e.now);
            e.visit(d, out);
            // Timeout and release from the first screen.
            UssdDialogue t = d;
            e.visit(t, t.timeout(e.now + std::chrono::hours(1)));
        }
        std::vector<std::string> missing;
        for (const auto& [id, s] : set->screens)
            if (!e.screens.contains(id)) missing.push_back(id);
        CHECK_MESSAGE(missing.empty(), fmt::format("unreached: {}", fmt::join(missing, ", ")));
        MESSAGE(lang << ": " << e.states.size() << " states, " << e.screens_rendered
                     << " screens rendered");
    }
}

}  // namespace reachability_test
