#include "menus/UssdString.hpp"

#include <doctest/doctest.h>

namespace ussd_string_test {

using namespace ussdgw::menus;

TEST_CASE("service code and shortcut parts") {
    auto root = parse_ussd_string("*141#");
    REQUIRE(root.ok());
    CHECK(*root == std::vector<std::string>{"141"});
    auto walk = parse_ussd_string(" *141*3*6# ");
    REQUIRE(walk.ok());
    CHECK(*walk == std::vector<std::string>{"141", "3", "6"});
    auto arg = parse_ussd_string("*141*3*6*375291234567#");
    REQUIRE(arg.ok());
    CHECK(arg->back() == "375291234567");
}

TEST_CASE("junk is rejected with a stable code") {
    CHECK(parse_ussd_string("").error().code == "ussd.empty");
    CHECK(parse_ussd_string("   ").error().code == "ussd.empty");
    CHECK(parse_ussd_string("**").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*141").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("141#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*141**6#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*141*abc#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*141*3*#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*14 1#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*141*Ж#").error().code == "ussd.syntax");
    CHECK(parse_ussd_string("*" + std::string(20, '1') + "#").ok());
    CHECK(parse_ussd_string("*" + std::string(21, '1') + "#").error().code == "ussd.too_long");
    CHECK(parse_ussd_string("*1*2*3*4*5*6*7*8*9*10#").ok());
    CHECK(parse_ussd_string("*1*2*3*4*5*6*7*8*9*10*11#").error().code == "ussd.too_long");
    std::string at_limit =
        "*" + std::string(20, '1') + "*" + std::string(20, '2') + "*" + std::string(20, '3') + "#";
    CHECK(at_limit.size() == 64);
    CHECK(parse_ussd_string(at_limit).ok());
    CHECK(parse_ussd_string(at_limit + "#").error().code == "ussd.too_long");
}

}  // namespace ussd_string_test
