// Loading errors: every kind of mistake in a menu file names the file, the line and the key.
#include "menus/MenuLoader.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "MenuTestSupport.hpp"

namespace menu_loader_test {

using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

namespace {
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
    CHECK(first_load_error(t).rfind(
              fmt::format("m.toml:{}: TOML syntax error", line_of(t, "type = =")), 0) == 0);
    auto dir = load_menu_directory("/nonexistent/menus");
    REQUIRE_FALSE(dir.ok());
    CHECK(std::string(dir.error().front().what()).rfind("/nonexistent/menus:0: cannot read", 0) ==
          0);
}

TEST_CASE("the [menu] table: missing, twice, bad values") {
    CHECK(first_load_error("[[service_codes]]\ncode = \"*1#\"\nstart = \"a\"\n") ==
          "m.toml:1: key 'menu': no file defines the [menu] table");
    CHECK(first_load_error({{"a.toml", simple_menus()}, {"b.toml", "\n" + menu_header()}}) ==
          "b.toml:2: key 'menu': [menu] is already defined in a.toml");
    std::string t = simple_menus_with("default_language = \"en\"", "default_language = \"de\"");
    expect_load_error(t, "default_language", "menu.default_language", "'de' is not in languages");
    t = simple_menus_with("more_key = \"#\"", "more_key = 5");
    expect_load_error(t, "more_key", "menu.more_key", "must be a string");
    t = simple_menus_with("timeout = { en = \"Timed out\", ru = \"Время истекло\" }\n", "");
    expect_load_error(t, "[menu.messages]", "menu.messages.timeout",
                      "is required (a text: a string or { ru = \"...\", ... })");
    t = simple_menus_with("languages = [\"en\", \"ru\"]", "languages = [\"en\", \"ru\", \"en\"]");
    expect_load_error(t, "languages", "menu.languages", "'en' is listed twice");
}

TEST_CASE("unknown keys anywhere are errors") {
    std::string t = simple_menus_with("save_as = \"puk\"", "save_as = \"puk\"\nsave_ass = \"x\"");
    expect_load_error(
        t, "save_ass", "screens.ask.save_ass",
        "unknown key (an input screen takes type, text, invalid, save_as, secret, digits, "
        "min_length, max_length, shortcut and next)");
    t = simple_menus_with("{ key = \"1\", next = \"ask\", label = \"PIN\" }",
                          "{ key = \"1\", next = \"ask\", label = \"PIN\", color = \"red\" }");
    expect_load_error(t, "color", "screens.main.options[0].color",
                      "unknown key (an option takes key, label and next)");
    t = simple_menus() + "\n[extra]\nx = 1\n";
    expect_load_error(t, "[extra]", "extra",
                      "unknown key (a menu file has [menu], [[service_codes]] and [screens.*])");
}

TEST_CASE("screens: type, references, options") {
    std::string t = simple_menus_with("type = \"final\"", "type = \"finale\"");
    expect_load_error(t, "\"finale\"", "screens.bye.type",
                      "'finale' is not one of: menu, input, action, final");
    t = simple_menus_with("next = \"bye\", label", "next = \"nowhere\", label");
    expect_load_error(t, "\"nowhere\"", "screens.main.options[1].next", "no screen 'nowhere'");
    t = simple_menus_with("next = \"check\"", "next = \"chek\"");
    expect_load_error(t, "\"chek\"", "screens.ask.next", "no screen 'chek'");
    t = simple_menus_with("{ key = \"2\", next = \"bye\"", "{ key = \"1\", next = \"bye\"");
    expect_load_error(t, "{ key = \"1\", next = \"bye\"", "screens.main.options[1].key",
                      "option key '1' is used twice");
    t = simple_menus_with("{ key = \"2\", next = \"bye\"", "{ key = \"#\", next = \"bye\"");
    expect_load_error(t, "{ key = \"#\"", "screens.main.options[1].key",
                      "'#' is the more_key of [menu]");
    t = simple_menus_with("{ key = \"2\", next = \"bye\"", "{ key = \"two\", next = \"bye\"");
    expect_load_error(t, "\"two\"", "screens.main.options[1].key", "'two' is not 1 to 3 digits");
    t = simple_menus_with("start = \"main\"\n\n[[service_codes]]",
                          "start = \"mian\"\n\n[[service_codes]]");
    expect_load_error(t, "\"mian\"", "service_codes[0].start", "no screen 'mian'");
    t = simple_menus_with("min_length = 4\nmax_length = 8", "min_length = 4\nmax_length = 2");
    expect_load_error(t, "max_length = 2", "screens.ask.max_length",
                      "2 is out of range (allowed 4 to 182)");
    t = simple_menus_with("secret = true", "secret = true\nshortcut = true");
    expect_load_error(t, "shortcut = true", "screens.ask.shortcut",
                      "a secret input cannot be taken from the dialled string");
}

TEST_CASE("screens defined twice, in one set of files") {
    std::string second = "\n\n" + kFinal + "text = \"Again\"\n";
    CHECK(first_load_error({{"a.toml", simple_menus()}, {"b.toml", second}}) ==
          fmt::format("b.toml:3: key 'screens.bye': screen 'bye' is already defined at "
                      "a.toml:{}",
                      line_of(simple_menus(), "[screens.bye]")));
}

TEST_CASE("service codes: syntax, duplicates, language") {
    std::string t = simple_menus_with("code = \"*100#\"", "code = \"*100\"");
    expect_load_error(t, "\"*100\"", "service_codes[0].code",
                      "'*100' is not a USSD code such as *141#");
    t = simple_menus_with("code = \"*100*7#\"", "code = \"*100#\"");
    expect_load_error(t, "code = \"*100#\"\nstart = \"main\"\nlanguage", "service_codes[1].code",
                      "'*100#' is defined twice");
    t = simple_menus_with("language = \"ru\"", "language = \"be\"");
    expect_load_error(t, "language = \"be\"", "service_codes[1].language",
                      "'be' is not one of the languages (en, ru)");
}

TEST_CASE("actions: name, parameters, variables, outcomes") {
    std::string t = simple_menus_with("action = \"open_access\"", "action = \"open_acess\"");
    expect_load_error(
        t, "\"open_acess\"", "screens.check.action",
        "'open_acess' is not one of: issue_password, access_state, open_access, "
        "close_access, managed_access_state, managed_open_access, managed_close_access");
    t = simple_menus_with("with = { puk = \"puk\" }\n", "");
    expect_load_error(t, "action = \"open_access\"", "screens.check.action",
                      "action 'open_access' needs with.puk (a variable)");
    t = simple_menus_with("with = { puk = \"puk\" }", "with = { puk = \"puk\", target = \"puk\" }");
    expect_load_error(t, "target = \"puk\"", "screens.check.with.target",
                      "action 'open_access' takes no parameter 'target'");
    t = simple_menus_with("with = { puk = \"puk\" }", "with = { puk = \"pin\" }");
    expect_load_error(t, "puk = \"pin\"", "screens.check.with.puk",
                      "no input or argument saves 'pin'");
    t = simple_menus_with("secret = true\n", "");
    expect_load_error(t, "with = { puk", "screens.check.with.puk",
                      "'puk' must come from a secret input (secret = true)");
    t = simple_menus_with(
        "outcomes = { ok = \"bye\", default = \"bye\" }",
        "outcomes = { ok = \"bye\", \"puk.wrongg\" = \"bye\", default = \"bye\" }");
    expect_load_error(
        t, "puk.wrongg", "screens.check.outcomes.puk.wrongg",
        "action 'open_access' has no outcome 'puk.wrongg' (it has: ok, puk.wrong, "
        "puk.locked, access.closed_by_organisation, access.closed_by_operator, not_found, "
        "service.suspended, error)");
    t = simple_menus_with("outcomes = { ok = \"bye\", default = \"bye\" }",
                          "outcomes = { ok = \"bye\" }");
    expect_load_error(
        t, "outcomes = { ok", "screens.check.outcomes",
        "outcome 'puk.wrong' of action 'open_access' is not mapped and there is no default");
    t = simple_menus_with("outcomes = { ok = \"bye\", default = \"bye\" }",
                          "outcomes = { ok = \"bye\", default = \"by\" }");
    expect_load_error(t, "default = \"by\"", "screens.check.outcomes.default", "no screen 'by'");
}

TEST_CASE("every error of a menu set is reported, ordered by file and line") {
    std::string a = simple_menus();
    auto replace = [&a](const std::string& from, const std::string& to) {
        auto pos = a.find(from);
        REQUIRE_MESSAGE(pos != std::string::npos, from);
        a.replace(pos, from.size(), to);
    };
    replace("default_language = \"en\"", "default_language = \"de\"");
    replace("{ key = \"2\", next = \"bye\"", "{ key = \"two\", next = \"bye\"");
    replace("next = \"check\"", "next = \"chek\"");
    std::string b =
        "\n[screens.extra]\ntype = \"finale\"\n\n[screens.other]\ntype = \"final\"\ntext = "
        "\"x\"\ncolour = 1\n";
    auto errors = load_errors({{"a.toml", a}, {"b.toml", b}});
    std::vector<std::string> want{
        fmt::format("a.toml:{}: key 'menu.default_language': 'de' is not in languages",
                    line_of(a, "default_language")),
        fmt::format("a.toml:{}: key 'screens.main.options[1].key': 'two' is not 1 to 3 digits",
                    line_of(a, "\"two\"")),
        fmt::format("a.toml:{}: key 'screens.ask.next': no screen 'chek'", line_of(a, "\"chek\"")),
        "b.toml:3: key 'screens.extra.type': 'finale' is not one of: menu, input, action, final",
        "b.toml:8: key 'screens.other.colour': unknown key (a final screen takes type and text)",
    };
    CHECK(errors == want);
}

TEST_CASE("a value that cannot be read hides no other error and causes none") {
    // The languages are unreadable: no text can be checked, so none is reported.
    auto errors = load_errors(
        {{"m.toml", simple_menus_with("languages = [\"en\", \"ru\"]", "languages = \"en\"")}});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("key 'menu.languages': must be an array of strings") != std::string::npos);
    // A screen of unknown type: its other keys are not read, so no "unknown key" follows.
    errors = load_errors({{"m.toml", simple_menus_with("type = \"input\"", "type = \"inptu\"")}});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("screens.ask.type") != std::string::npos);
    // Two bad keys of one input screen: both are reported.
    errors = load_errors({{"m.toml", simple_menus_with("min_length = 4\nmax_length = 8",
                                                       "min_length = 0\nmax_length = \"8\"")}});
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].find("screens.ask.min_length") != std::string::npos);
    CHECK(errors[1].find("screens.ask.max_length") != std::string::npos);
}

TEST_CASE("files with syntax errors are reported alone, each of them") {
    std::string broken = "[screens.x]\ntype = = 1\n";
    auto errors = load_errors({{"a.toml", simple_menus_with("start = \"main\"", "start = \"x\"")},
                               {"b.toml", broken},
                               {"c.toml", "\n" + broken}});
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].rfind("b.toml:2: TOML syntax error", 0) == 0);
    CHECK(errors[1].rfind("c.toml:3: TOML syntax error", 0) == 0);
}

}  // namespace menu_loader_test
