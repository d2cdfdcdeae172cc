// menus/MenuTextReader: the texts of a menu set (by language, placeholders, not empty) and
// the fit of a screen at its widest, checked through the loader.
#include "menus/MenuTextReader.hpp"

#include <doctest/doctest.h>

#include "MenuTestSupport.hpp"

namespace menu_text_reader_test {

using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

TEST_CASE("texts: missing or unknown language, placeholders, empty") {
    std::string t =
        simple_menus_with("text = { en = \"Bye\", ru = \"Пока\" }", "text = { en = \"Bye\" }");
    expect_load_error(t, "text = { en = \"Bye\" }", "screens.bye.text.ru",
                      "the 'ru' text is missing");
    t = simple_menus_with("text = { en = \"Bye\", ru = \"Пока\" }",
                          "text = { en = \"Bye\", ru = \"Пока\", fr = \"Salut\" }");
    expect_load_error(t, "fr = ", "screens.bye.text.fr",
                      "'fr' is not one of the languages (en, ru)");
    t = simple_menus_with("text = \"Enter PIN:\"", "text = \"Enter {pin}:\"");
    expect_load_error(t, "Enter {pin}", "screens.ask.text",
                      "unknown placeholder {pin} (known: msisdn, target, attempts_left, until, "
                      "retry_after)");
    t = simple_menus_with("text = \"Enter PIN:\"", "text = \"Enter {target:\"");
    expect_load_error(t, "Enter {target", "screens.ask.text", "'{' without '}'");
    t = simple_menus_with("text = { en = \"Bye\", ru = \"Пока\" }",
                          "text = { en = \"\", ru = \"Пока\" }");
    expect_load_error(t, "text = { en = \"\"", "screens.bye.text.en", "must not be empty");
    t = simple_menus_with("text = { en = \"Bye\", ru = \"Пока\" }", "text = 42");
    expect_load_error(t, "text = 42", "screens.bye.text",
                      "must be a string or a table of strings by language");
}

TEST_CASE("a screen over 182 GSM 7-bit or 80 UCS2 characters is rejected at the edge") {
    auto final_with = [](const std::string& en, const std::string& ru) {
        return simple_menus_with("text = { en = \"Bye\", ru = \"Пока\" }",
                                 "text = { en = \"" + en + "\", ru = \"" + ru + "\" }");
    };
    std::string ru80;
    for (int i = 0; i < 80; ++i)
        ru80 += "ж";
    CHECK(first_load_error(final_with(std::string(182, 'a'), ru80)) == "");
    std::string t = final_with(std::string(183, 'a'), ru80);
    expect_load_error(
        t, "aaaa", "screens.bye.text.en",
        "the 'en' text takes 183 gsm7 characters, more than the 182 one USSD screen holds");
    t = final_with(std::string(180, 'a') + "€", ru80);  // the euro sign takes 2 septets
    CHECK(first_load_error(t) == "");
    t = final_with(std::string(181, 'a') + "€", ru80);
    expect_load_error(
        t, "aaaa", "screens.bye.text.en",
        "the 'en' text takes 183 gsm7 characters, more than the 182 one USSD screen holds");
    t = final_with("Bye", ru80 + "ж");
    expect_load_error(
        t, "жжжж", "screens.bye.text.ru",
        "the 'ru' text takes 81 ucs2 characters, more than the 80 one USSD screen holds");
    // One Cyrillic letter in a long Latin text makes all of it UCS2.
    t = final_with(std::string(80, 'a') + "ж", ru80);
    expect_load_error(
        t, "aaaa", "screens.bye.text.en",
        "the 'en' text takes 81 ucs2 characters, more than the 80 one USSD screen holds");
    // Placeholders are checked at their widest: {target} may take 15 digits.
    t = final_with(std::string(167, 'a') + "{target}", ru80);
    CHECK(first_load_error(t) == "");
    t = final_with(std::string(168, 'a') + "{target}", ru80);
    expect_load_error(
        t, "aaaa", "screens.bye.text.en",
        "the 'en' text takes 183 gsm7 characters, more than the 182 one USSD screen holds");
    // A menu whose header leaves no room for one option and the "more" line.
    t = simple_menus_with("text = { en = \"Hello\", ru = \"Привет\" }",
                          "text = { en = \"Hello\", ru = \"" + ru80.substr(0, 2 * 76) + "\" }");
    expect_load_error(
        t, "жжжж", "screens.main.text.ru",
        "the 'ru' menu cannot fit one USSD screen (182 GSM 7-bit or 80 UCS2 characters) even "
        "with one option per page");
}

}  // namespace menu_text_reader_test
