// menus/UssdDialogue, the dialogue state machine itself: its phases, timeouts, release,
// annulled actions, languages, paging and the screen limits.
#include "menus/UssdDialogue.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "FakeDomain.hpp"
#include "SampleMenus.hpp"
#include "menus/MenuLoader.hpp"
#include "menus/ScreenText.hpp"

namespace ussd_dialogue_test {

using namespace ussdgw;
using namespace ussdgw::menus;
using namespace ussdgw::menus::test;
using namespace std::chrono_literals;

namespace {
MenuSetPtr simple(const std::string& hello = "Hello") {
    auto r = load_menu_texts({{"simple.toml", simple_menus(hello)}});
    if (!r) FAIL(r.error().front().what());
    return *r;
}
const TimePoint t0 = TimePoint{} + 1h;
}  // namespace

TEST_CASE("step timeout: the deadline moves with every answer and ends the dialogue") {
    UssdDialogue d(simple(), DialogueSettings{30s, 180s, ""});
    auto out = d.begin("375291234567", "*100#", "", t0);
    REQUIRE(out.has_screen);
    CHECK_FALSE(out.end);
    CHECK(out.text == "Hello\n1 PIN\n2 Bye");
    CHECK(out.encoding == gsm::Encoding::gsm7);
    REQUIRE(out.deadline);
    CHECK(*out.deadline == t0 + 30s);
    auto early = d.timeout(t0 + 29s);
    CHECK_FALSE(early.has_screen);
    CHECK_FALSE(early.end);
    CHECK(*early.deadline == t0 + 30s);
    out = d.answer("1", t0 + 20s);
    CHECK(out.text == "Enter PIN:");
    CHECK(*out.deadline == t0 + 50s);
    out = d.timeout(t0 + 50s);
    CHECK(out.has_screen);
    CHECK(out.end);
    CHECK(out.text == "Timed out");
    CHECK_FALSE(out.deadline);
    CHECK(d.ended());
    CHECK_FALSE(d.answer("1234", t0 + 51s).has_screen);
}

TEST_CASE("dialogue timeout caps the whole dialogue; a late answer gets the timeout") {
    UssdDialogue d(simple(), DialogueSettings{30s, 60s, ""});
    d.begin("375291234567", "*100#", "", t0);
    auto out = d.answer("9", t0 + 25s);  // invalid: the menu again
    CHECK(out.text == "Hello\n1 PIN\n2 Bye");
    out = d.answer("9", t0 + 50s);
    CHECK(*out.deadline == t0 + 60s);  // not t0 + 80s
    out = d.answer("1", t0 + 61s);
    CHECK(out.end);
    CHECK(out.text == "Timed out");
}

TEST_CASE("release or timeout while an action is pending annuls it; its result is ignored") {
    FakeDomain fake;
    fake.add("375291234567");
    UssdDialogue d(simple(), DialogueSettings{30s, 180s, ""});
    d.begin("375291234567", "*100#", "", t0);
    d.answer("1", t0 + 1s);
    auto out = d.answer("1234", t0 + 2s);
    CHECK_FALSE(out.has_screen);
    REQUIRE(out.action);
    CHECK(out.action->kind == ActionKind::open_access);
    CHECK(out.action->puk.reveal() == "1234");
    CHECK(out.deadline == t0 + 32s);
    const auto id = out.action->id;
    CHECK(d.pending_action() == id);
    // Answers while the action runs are ignored.
    CHECK_FALSE(d.answer("1", t0 + 3s).has_screen);

    auto rel = d.release(t0 + 4s);
    CHECK(rel.end);
    CHECK_FALSE(rel.has_screen);
    CHECK(rel.annul_action == id);
    auto late = d.action_result(id, {"ok", {}}, t0 + 5s);
    CHECK_FALSE(late.has_screen);
    CHECK(late.end);

    UssdDialogue t(simple(), DialogueSettings{30s, 180s, ""});
    t.begin("375291234567", "*100#", "", t0);
    t.answer("1", t0);
    auto req = t.answer("1234", t0);
    REQUIRE(req.action);
    auto to = t.timeout(t0 + 30s);
    CHECK(to.end);
    CHECK(to.text == "Timed out");
    CHECK(to.annul_action == req.action->id);
    CHECK_FALSE(t.action_result(req.action->id, {"ok", {}}, t0 + 31s).has_screen);

    // A result for another request id is not this dialogue's.
    UssdDialogue w(simple(), DialogueSettings{30s, 180s, ""});
    w.begin("375291234567", "*100#", "", t0);
    w.answer("1", t0);
    req = w.answer("1234", t0);
    CHECK_FALSE(w.action_result(req.action->id + 1, {"ok", {}}, t0).has_screen);
    auto done = w.action_result(req.action->id, {"ok", {}}, t0);
    CHECK(done.end);
    CHECK(done.text == "Bye");
    // A result arriving after the step deadline is a timeout.
    UssdDialogue x(simple(), DialogueSettings{30s, 180s, ""});
    x.begin("375291234567", "*100#", "", t0);
    x.answer("1", t0);
    req = x.answer("1234", t0);
    auto slow = x.action_result(req.action->id, {"ok", {}}, t0 + 31s);
    CHECK(slow.text == "Timed out");
    CHECK(slow.annul_action == req.action->id);
}

TEST_CASE("a timed-out action that storage is already writing is waited for and shown") {
    UssdDialogue d(simple(), DialogueSettings{30s, 180s, ""});
    d.begin("375291234567", "*100#", "", t0);
    d.answer("1", t0);
    auto req = d.answer("1234", t0);
    REQUIRE(req.action);
    // The caller could not annul it: instead of the timeout screen, wait for the outcome.
    auto wait = d.await_result(t0 + 30s, t0 + 35s);
    CHECK_FALSE(wait.has_screen);
    CHECK_FALSE(wait.end);
    CHECK(wait.deadline == t0 + 35s);
    CHECK_FALSE(d.timeout(t0 + 34s).has_screen);  // not yet
    auto shown = d.action_result(req.action->id, {"ok", {}}, t0 + 33s);
    CHECK(shown.end);
    CHECK(shown.text == "Bye");  // what was done, not "Timed out"

    // No result within the wait: the timeout screen after all.
    UssdDialogue late(simple(), DialogueSettings{30s, 180s, ""});
    late.begin("375291234567", "*100#", "", t0);
    late.answer("1", t0);
    req = late.answer("1234", t0);
    late.await_result(t0 + 30s, t0 + 35s);
    auto to = late.timeout(t0 + 35s);
    CHECK(to.end);
    CHECK(to.text == "Timed out");
    // Nothing pending: nothing to wait for.
    UssdDialogue idle(simple(), DialogueSettings{30s, 180s, ""});
    idle.begin("375291234567", "*100#", "", t0);
    CHECK(idle.await_result(t0 + 30s, t0 + 35s).deadline == t0 + 30s);
}

TEST_CASE("release before any action commits nothing") {
    UssdDialogue d(simple(), DialogueSettings{});
    d.begin("375291234567", "*100#", "", t0);
    d.answer("1", t0);
    auto rel = d.release(t0 + 1s);
    CHECK(rel.end);
    CHECK_FALSE(rel.annul_action);
    CHECK_FALSE(rel.action);
    CHECK_FALSE(d.release(t0 + 2s).has_screen);
}

TEST_CASE("language: service code, then subscriber, then configured default, then the set's") {
    auto set = simple();
    UssdDialogue code(set, DialogueSettings{});
    CHECK(code.begin("1", "*100*7#", "en", t0).text == "Привет\n1 PIN\n2 Пока");
    CHECK(code.language() == "ru");
    CHECK(code.answer("9", t0).encoding == gsm::Encoding::ucs2);
    UssdDialogue sub(set, DialogueSettings{});
    CHECK(sub.begin("1", "*100#", "ru", t0).text == "Привет\n1 PIN\n2 Пока");
    UssdDialogue cfg(set, DialogueSettings{30s, 180s, "ru"});
    CHECK(cfg.begin("1", "*100#", "xx", t0).text == "Привет\n1 PIN\n2 Пока");
    UssdDialogue def(set, DialogueSettings{30s, 180s, "be"});  // not in this set
    CHECK(def.begin("1", "*100#", "", t0).text == "Hello\n1 PIN\n2 Bye");
    UssdDialogue junk(set, DialogueSettings{});
    auto out = junk.begin("1", "*100*", "ru", t0);
    CHECK(out.text == "Неверный запрос");
    CHECK(out.end);
}

TEST_CASE("long option lists are paged with a more option, in both encodings") {
    std::string options;
    for (int i = 1; i <= 40; ++i)
        options += "  { key = \"" + std::to_string(i) + "\", next = \"done\", label = { en = \"" +
                   "Option number " + std::to_string(i) + "\", ru = \"Пункт " + std::to_string(i) +
                   "\" } },\n";
    std::string text = menu_header() + R"(
[[service_codes]]
code = "*5#"
start = "list"

[screens.list]
type = "menu"
text = { en = "Choose one", ru = "Выберите" }
options = [
)" + options + R"(]

[screens.done]
type = "final"
text = "Done"
)";
    auto r = load_menu_texts({{"list.toml", text}});
    REQUIRE_MESSAGE(r.ok(), r.error().front().what());
    for (const std::string lang : {"en", "ru"}) {
        CAPTURE(lang);
        UssdDialogue d(*r, DialogueSettings{});
        auto out = d.begin("1", "*5#", lang, t0);
        CHECK(out.text.rfind(lang == "en" ? "Choose one\n1 " : "Выберите\n1 ", 0) == 0);
        int seen = 0;
        int pages = 0;
        while (true) {
            ++pages;
            REQUIRE(pages < 40);
            auto fit = measure_screen(out.text);
            CHECK(fit.fits());
            CHECK(out.encoding == (lang == "en" ? gsm::Encoding::gsm7 : gsm::Encoding::ucs2));
            bool more = out.text.find(lang == "en" ? "\n# More" : "\n# Ещё") != std::string::npos;
            // Each page is full: one more option would not fit.
            if (more) CHECK(fit.length + (lang == "en" ? 18u : 10u) > fit.limit);
            std::size_t lines =
                1 + static_cast<std::size_t>(std::count(out.text.begin(), out.text.end(), '\n'));
            seen += static_cast<int>(lines) - (pages == 1 ? 1 : 0) - (more ? 1 : 0);
            if (!more) break;
            out = d.answer("#", t0);
        }
        CHECK(seen == 40);
        CHECK(pages > 1);
        out = d.answer("37", t0);  // a key from any page is accepted
        CHECK(out.text == "Done");
    }
}

TEST_CASE("screens at exactly 182 GSM 7-bit and 80 UCS2 characters go out whole") {
    std::string ru80;
    for (int i = 0; i < 79; ++i)
        ru80 += "ж";
    std::string text = menu_header() + R"(
[[service_codes]]
code = "*7#"
start = "edge"

[[service_codes]]
code = "*8#"
start = "who"

[screens.edge]
type = "final"
text = { en = ")" + std::string(180, 'a') +
                       R"(€", ru = ")" + ru80 + R"(!" }

[screens.who]
type = "menu"
text = "Who?"
options = [ { key = "1", next = "edge", label = "Edge" } ]
argument = { save_as = "target", min_length = 1, max_length = 20, next = "show" }

[screens.show]
type = "final"
text = ")" + std::string(167, 'b') +
                       R"({target}"
)";
    auto r = load_menu_texts({{"edge.toml", text}});
    REQUIRE_MESSAGE(r.ok(), r.error().front().what());
    UssdDialogue en(*r, DialogueSettings{});
    auto out = en.begin("1", "*7#", "en", t0);
    CHECK(out.encoding == gsm::Encoding::gsm7);
    CHECK(measure_screen(out.text).length == 182);
    CHECK(out.text == std::string(180, 'a') + "€");
    UssdDialogue ru(*r, DialogueSettings{});
    out = ru.begin("1", "*7#", "ru", t0);
    CHECK(out.encoding == gsm::Encoding::ucs2);
    CHECK(gsm::ucs2_length(out.text) == 80);
    CHECK(out.text == ru80 + "!");
    // A field value wider than declared is cut to its width, so the screen still fits.
    UssdDialogue arg(*r, DialogueSettings{});
    out = arg.begin("1", "*8*12345678901234567890#", "en", t0);
    CHECK(out.end);
    CHECK(out.text == std::string(167, 'b') + "123456789012345");
    CHECK(measure_screen(out.text).length == 182);
}

TEST_CASE("the phases: not begun, awaiting an answer, awaiting a result, ended") {
    UssdDialogue d(simple(), DialogueSettings{30s, 180s, ""});
    CHECK(d.phase() == DialoguePhase::not_begun);
    // Before begin, only release means something.
    CHECK_FALSE(d.answer("1", t0).has_screen);
    CHECK_FALSE(d.timeout(t0 + 1h).has_screen);
    CHECK_FALSE(d.action_result(1, ActionResult{"ok", {}}, t0).has_screen);
    CHECK(d.phase() == DialoguePhase::not_begun);

    CHECK(d.begin("375291234567", "*100#", "", t0).has_screen);
    CHECK(d.phase() == DialoguePhase::awaiting_answer);
    CHECK_FALSE(d.pending_action());
    auto again = d.begin("375291234567", "*100#", "", t0);  // a second begin changes nothing
    CHECK_FALSE(again.has_screen);
    CHECK(*again.deadline == t0 + 30s);
    CHECK_FALSE(d.action_result(1, ActionResult{"ok", {}}, t0).has_screen);  // none pending

    d.answer("1", t0);
    auto out = d.answer("12345", t0);
    REQUIRE(out.action);
    CHECK(d.phase() == DialoguePhase::awaiting_result);
    CHECK(d.pending_action() == out.action->id);
    // While the result is awaited, answers and other results change nothing.
    auto ignored = d.answer("1", t0 + 1s);
    CHECK_FALSE(ignored.has_screen);
    CHECK_FALSE(ignored.end);
    CHECK(*ignored.deadline == t0 + 30s);
    CHECK_FALSE(d.action_result(out.action->id + 1, ActionResult{"ok", {}}, t0).has_screen);
    CHECK(d.phase() == DialoguePhase::awaiting_result);

    out = d.action_result(out.action->id, ActionResult{"ok", {}}, t0 + 2s);
    CHECK(out.text == "Bye");
    CHECK(out.end);
    CHECK(d.phase() == DialoguePhase::ended);
    CHECK(d.ended());
    CHECK_FALSE(d.pending_action());
    // Once ended, every event is answered with the end and no deadline.
    auto check_ended = [](const DialogueOutput& o) {
        CHECK_FALSE(o.has_screen);
        CHECK(o.end);
        CHECK_FALSE(o.deadline);
        CHECK_FALSE(o.annul_action);
    };
    check_ended(d.answer("1", t0 + 3s));
    check_ended(d.timeout(t0 + 1h));
    check_ended(d.release(t0 + 3s));
    check_ended(d.await_result(t0, t0 + 1h));
}

TEST_CASE("release before begin ends the dialogue") {
    UssdDialogue d(simple(), DialogueSettings{});
    auto out = d.release(t0);
    CHECK(out.end);
    CHECK(d.phase() == DialoguePhase::ended);
    CHECK_FALSE(d.begin("1", "*100#", "", t0).has_screen);
}

}  // namespace ussd_dialogue_test
