// menus/MenuSet: the longest service code wins, languages, and the input rules.
#include "menus/MenuSet.hpp"

#include <doctest/doctest.h>

#include "MenuTestSupport.hpp"

namespace menu_set_test {

using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

TEST_CASE("match: the longest service code that prefixes the dialled parts wins") {
    MenuSet set;
    set.service_codes.push_back(ServiceCode{"*141#", {"141"}, "root", ""});
    set.service_codes.push_back(ServiceCode{"*141*3*6#", {"141", "3", "6"}, "access", ""});
    std::size_t consumed = 99;
    const ServiceCode* sc = set.match({"141", "3", "6", "375291234567"}, consumed);
    REQUIRE(sc);
    CHECK(sc->start == "access");
    CHECK(consumed == 3);
    sc = set.match({"141", "3"}, consumed);
    REQUIRE(sc);
    CHECK(sc->start == "root");
    CHECK(consumed == 1);
    CHECK_FALSE(set.match({"100"}, consumed));
    CHECK(consumed == 0);
}

TEST_CASE("languages and screens of a loaded set") {
    auto r = load_menu_texts({{"m.toml", simple_menus()}});
    REQUIRE_MESSAGE(r.ok(), r.error().front().what());
    const MenuSet& set = **r;
    CHECK(set.has_language("ru"));
    CHECK_FALSE(set.has_language("be"));
    REQUIRE(set.screen("ask"));
    CHECK(set.screen("ask")->kind == ScreenKind::input);
    CHECK_FALSE(set.screen("nowhere"));
}

TEST_CASE("an input rule counts characters, not bytes, and may demand digits") {
    InputRule digits{true, 4, 8};
    CHECK(digits.accepts("1234"));
    CHECK(digits.accepts("12345678"));
    CHECK_FALSE(digits.accepts("123"));
    CHECK_FALSE(digits.accepts("123456789"));
    CHECK_FALSE(digits.accepts("12a4"));
    InputRule text{false, 1, 3};
    CHECK(text.accepts("жжж"));  // 3 characters, 6 bytes
    CHECK_FALSE(text.accepts("жжжж"));
    CHECK_FALSE(text.accepts(""));
}

}  // namespace menu_set_test
