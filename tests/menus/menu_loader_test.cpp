// Loading errors: every kind of mistake in a menu file names the file, the line and the key.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>

#include "MenuText.hpp"
#include "menus/MenuLoader.hpp"

using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

namespace {
std::string error_of(const std::vector<std::pair<std::string, std::string>>& files) {
    auto r = load_menu_texts(files);
    if (r) return "";
    REQUIRE(!r.error().empty());
    return r.error().front().what();
}
std::string error_of(const std::string& text) {
    return error_of({{"m.toml", text}});
}
// 1-based line of the first line containing `needle`.
int line_of(const std::string& text, const std::string& needle) {
    auto pos = text.find(needle);
    REQUIRE_MESSAGE(pos != std::string::npos, needle);
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + pos, '\n'));
}
// A menu set: the simple one with `from` replaced by `to`, or with `extra` appended.
std::string variant(const std::string& from, const std::string& to) {
    std::string t = simple_menus();
    auto pos = t.find(from);
    REQUIRE_MESSAGE(pos != std::string::npos, from);
    return t.replace(pos, from.size(), to);
}
void expect(const std::string& text, const std::string& marker, const std::string& key,
            const std::string& message) {
    std::string want = fmt::format("m.toml:{}: key '{}': {}", line_of(text, marker), key, message);
    CHECK(error_of(text) == want);
}
const std::string kFinal = "[screens.bye]\ntype = \"final\"\n";
}  // namespace

TEST_CASE("the simple set and the cabinet load") {
    auto r = load_menu_texts({{"m.toml", simple_menus()}});
    REQUIRE_MESSAGE(r.ok(), r.error().front().what());
    CHECK((*r)->screens.size() == 4);
    CHECK((*r)->service_codes.size() == 2);
    auto cab = load_menu_directory(USSDGW_SOURCE_DIR "/menus/cabinet");
    REQUIRE_MESSAGE(cab.ok(), cab.error().front().what());
}

TEST_CASE("syntax errors and missing files name the file and line") {
    std::string t = simple_menus() + "\n[screens.x]\ntype = = 1\n";
    CHECK(error_of(t).rfind(fmt::format("m.toml:{}: TOML syntax error", line_of(t, "type = =")),
                            0) == 0);
    auto dir = load_menu_directory("/nonexistent/menus");
    REQUIRE_FALSE(dir.ok());
    CHECK(std::string(dir.error().front().what()).rfind("/nonexistent/menus:0: cannot read", 0) ==
          0);
}

TEST_CASE("the [menu] table: missing, twice, bad values") {
    CHECK(error_of("[[service_codes]]\ncode = \"*1#\"\nstart = \"a\"\n") ==
          "m.toml:1: key 'menu': no file defines the [menu] table");
    CHECK(error_of({{"a.toml", simple_menus()}, {"b.toml", "\n" + menu_header()}}) ==
          "b.toml:2: key 'menu': [menu] is already defined in a.toml");
    std::string t = variant("default_language = \"en\"", "default_language = \"de\"");
    expect(t, "default_language", "menu.default_language", "'de' is not in languages");
    t = variant("more_key = \"#\"", "more_key = 5");
    expect(t, "more_key", "menu.more_key", "must be a string");
    t = variant("timeout = { en = \"Timed out\", ru = \"Время истекло\" }\n", "");
    expect(t, "[menu.messages]", "menu.messages.timeout",
           "is required (a text: a string or { ru = \"...\", ... })");
    t = variant("languages = [\"en\", \"ru\"]", "languages = [\"en\", \"ru\", \"en\"]");
    expect(t, "languages", "menu.languages", "'en' is listed twice");
}

TEST_CASE("unknown keys anywhere are errors") {
    std::string t = variant("save_as = \"puk\"", "save_as = \"puk\"\nsave_ass = \"x\"");
    expect(t, "save_ass", "screens.ask.save_ass",
           "unknown key (an input screen takes type, text, invalid, save_as, secret, digits, "
           "min_length, max_length, shortcut and next)");
    t = variant("{ key = \"1\", next = \"ask\", label = \"PIN\" }",
                "{ key = \"1\", next = \"ask\", label = \"PIN\", color = \"red\" }");
    expect(t, "color", "screens.main.options[0].color",
           "unknown key (an option takes key, label and next)");
    t = simple_menus() + "\n[extra]\nx = 1\n";
    expect(t, "[extra]", "extra",
           "unknown key (a menu file has [menu], [[service_codes]] and [screens.*])");
}

TEST_CASE("texts: missing or unknown language, placeholders, empty") {
    std::string t = variant("text = { en = \"Bye\", ru = \"Пока\" }", "text = { en = \"Bye\" }");
    expect(t, "text = { en = \"Bye\" }", "screens.bye.text.ru", "the 'ru' text is missing");
    t = variant("text = { en = \"Bye\", ru = \"Пока\" }",
                "text = { en = \"Bye\", ru = \"Пока\", fr = \"Salut\" }");
    expect(t, "fr = ", "screens.bye.text.fr", "'fr' is not one of the languages (en, ru)");
    t = variant("text = \"Enter PIN:\"", "text = \"Enter {pin}:\"");
    expect(t, "Enter {pin}", "screens.ask.text",
           "unknown placeholder {pin} (known: msisdn, target, attempts_left, until, "
           "retry_after)");
    t = variant("text = \"Enter PIN:\"", "text = \"Enter {target:\"");
    expect(t, "Enter {target", "screens.ask.text", "'{' without '}'");
    t = variant("text = { en = \"Bye\", ru = \"Пока\" }", "text = { en = \"\", ru = \"Пока\" }");
    expect(t, "text = { en = \"\"", "screens.bye.text.en", "must not be empty");
    t = variant("text = { en = \"Bye\", ru = \"Пока\" }", "text = 42");
    expect(t, "text = 42", "screens.bye.text",
           "must be a string or a table of strings by language");
}

TEST_CASE("screens: type, references, options") {
    std::string t = variant("type = \"final\"", "type = \"finale\"");
    expect(t, "\"finale\"", "screens.bye.type",
           "'finale' is not one of: menu, input, action, final");
    t = variant("next = \"bye\", label", "next = \"nowhere\", label");
    expect(t, "\"nowhere\"", "screens.main.options[1].next", "no screen 'nowhere'");
    t = variant("next = \"check\"", "next = \"chek\"");
    expect(t, "\"chek\"", "screens.ask.next", "no screen 'chek'");
    t = variant("{ key = \"2\", next = \"bye\"", "{ key = \"1\", next = \"bye\"");
    expect(t, "{ key = \"1\", next = \"bye\"", "screens.main.options[1].key",
           "option key '1' is used twice");
    t = variant("{ key = \"2\", next = \"bye\"", "{ key = \"#\", next = \"bye\"");
    expect(t, "{ key = \"#\"", "screens.main.options[1].key", "'#' is the more_key of [menu]");
    t = variant("{ key = \"2\", next = \"bye\"", "{ key = \"two\", next = \"bye\"");
    expect(t, "\"two\"", "screens.main.options[1].key", "'two' is not 1 to 3 digits");
    t = variant("start = \"main\"\n\n[[service_codes]]", "start = \"mian\"\n\n[[service_codes]]");
    expect(t, "\"mian\"", "service_codes[0].start", "no screen 'mian'");
    t = variant("min_length = 4\nmax_length = 8", "min_length = 4\nmax_length = 2");
    expect(t, "max_length = 2", "screens.ask.max_length", "2 is out of range (allowed 4 to 182)");
    t = variant("secret = true", "secret = true\nshortcut = true");
    expect(t, "shortcut = true", "screens.ask.shortcut",
           "a secret input cannot be taken from the dialled string");
}

TEST_CASE("screens defined twice, in one set of files") {
    std::string second = "\n\n" + kFinal + "text = \"Again\"\n";
    CHECK(error_of({{"a.toml", simple_menus()}, {"b.toml", second}}) ==
          fmt::format("b.toml:3: key 'screens.bye': screen 'bye' is already defined at "
                      "a.toml:{}",
                      line_of(simple_menus(), "[screens.bye]")));
}

TEST_CASE("service codes: syntax, duplicates, language") {
    std::string t = variant("code = \"*100#\"", "code = \"*100\"");
    expect(t, "\"*100\"", "service_codes[0].code", "'*100' is not a USSD code such as *141#");
    t = variant("code = \"*100*7#\"", "code = \"*100#\"");
    expect(t, "code = \"*100#\"\nstart = \"main\"\nlanguage", "service_codes[1].code",
           "'*100#' is defined twice");
    t = variant("language = \"ru\"", "language = \"be\"");
    expect(t, "language = \"be\"", "service_codes[1].language",
           "'be' is not one of the languages (en, ru)");
}

TEST_CASE("actions: name, parameters, variables, outcomes") {
    std::string t = variant("action = \"open_access\"", "action = \"open_acess\"");
    expect(t, "\"open_acess\"", "screens.check.action",
           "'open_acess' is not one of: issue_password, access_state, open_access, "
           "close_access, managed_access_state, managed_open_access, managed_close_access");
    t = variant("with = { puk = \"puk\" }\n", "");
    expect(t, "action = \"open_access\"", "screens.check.action",
           "action 'open_access' needs with.puk (a variable)");
    t = variant("with = { puk = \"puk\" }", "with = { puk = \"puk\", target = \"puk\" }");
    expect(t, "target = \"puk\"", "screens.check.with.target",
           "action 'open_access' takes no parameter 'target'");
    t = variant("with = { puk = \"puk\" }", "with = { puk = \"pin\" }");
    expect(t, "puk = \"pin\"", "screens.check.with.puk", "no input or argument saves 'pin'");
    t = variant("secret = true\n", "");
    expect(t, "with = { puk", "screens.check.with.puk",
           "'puk' must come from a secret input (secret = true)");
    t = variant("outcomes = { ok = \"bye\", default = \"bye\" }",
                "outcomes = { ok = \"bye\", \"puk.wrongg\" = \"bye\", default = \"bye\" }");
    expect(t, "puk.wrongg", "screens.check.outcomes.puk.wrongg",
           "action 'open_access' has no outcome 'puk.wrongg' (it has: ok, puk.wrong, "
           "puk.locked, access.closed_by_organisation, access.closed_by_operator, not_found, "
           "service.suspended, error)");
    t = variant("outcomes = { ok = \"bye\", default = \"bye\" }", "outcomes = { ok = \"bye\" }");
    expect(t, "outcomes = { ok", "screens.check.outcomes",
           "outcome 'puk.wrong' of action 'open_access' is not mapped and there is no default");
    t = variant("outcomes = { ok = \"bye\", default = \"bye\" }",
                "outcomes = { ok = \"bye\", default = \"by\" }");
    expect(t, "default = \"by\"", "screens.check.outcomes.default", "no screen 'by'");
}

TEST_CASE("a screen over 182 GSM 7-bit or 80 UCS2 characters is rejected at the edge") {
    auto final_with = [](const std::string& en, const std::string& ru) {
        return variant("text = { en = \"Bye\", ru = \"Пока\" }",
                       "text = { en = \"" + en + "\", ru = \"" + ru + "\" }");
    };
    std::string ru80;
    for (int i = 0; i < 80; ++i)
        ru80 += "ж";
    CHECK(error_of(final_with(std::string(182, 'a'), ru80)) == "");
    std::string t = final_with(std::string(183, 'a'), ru80);
    expect(t, "aaaa", "screens.bye.text.en",
           "the 'en' text takes 183 gsm7 characters, more than the 182 one USSD screen holds");
    t = final_with(std::string(180, 'a') + "€", ru80);  // the euro sign takes 2 septets
    CHECK(error_of(t) == "");
    t = final_with(std::string(181, 'a') + "€", ru80);
    expect(t, "aaaa", "screens.bye.text.en",
           "the 'en' text takes 183 gsm7 characters, more than the 182 one USSD screen holds");
    t = final_with("Bye", ru80 + "ж");
    expect(t, "жжжж", "screens.bye.text.ru",
           "the 'ru' text takes 81 ucs2 characters, more than the 80 one USSD screen holds");
    // One Cyrillic letter in a long Latin text makes all of it UCS2.
    t = final_with(std::string(80, 'a') + "ж", ru80);
    expect(t, "aaaa", "screens.bye.text.en",
           "the 'en' text takes 81 ucs2 characters, more than the 80 one USSD screen holds");
    // Placeholders are checked at their widest: {target} may take 15 digits.
    t = final_with(std::string(167, 'a') + "{target}", ru80);
    CHECK(error_of(t) == "");
    t = final_with(std::string(168, 'a') + "{target}", ru80);
    expect(t, "aaaa", "screens.bye.text.en",
           "the 'en' text takes 183 gsm7 characters, more than the 182 one USSD screen holds");
    // A menu whose header leaves no room for one option and the "more" line.
    t = variant("text = { en = \"Hello\", ru = \"Привет\" }",
                "text = { en = \"Hello\", ru = \"" + ru80.substr(0, 2 * 76) + "\" }");
    expect(t, "жжжж", "screens.main.text.ru",
           "the 'ru' menu cannot fit one USSD screen (182 GSM 7-bit or 80 UCS2 characters) even "
           "with one option per page");
}
