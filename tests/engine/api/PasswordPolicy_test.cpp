// The cabinet password policy: length in characters (not bytes), not the number or its last
// digits, not a word of the deny list, not one character repeated, no control characters.
#include "engine/api/PasswordPolicy.hpp"

#include <doctest/doctest.h>

namespace password_policy_test {

using namespace ussdgw::api;

TEST_CASE("the password policy") {
    ApiConfig cfg;
    cfg.password_deny_list = {"Qwerty"};
    auto code = [&](std::string_view pw) {
        auto e = check_password(cfg, pw, "375291000001", "password");
        return e ? e->code : std::string("ok");
    };
    CHECK(code("abcd") == "password.too_short");
    CHECK(code("абвг") == "password.too_short");  // characters, not bytes
    CHECK(code("абвгд") == "ok");
    CHECK(code("Lake-Naroch-7") == "ok");
    CHECK(code(std::string(65, 'x') + "y") == "password.too_long");
    CHECK(code("375291000001") == "password.too_weak");
    CHECK(code("x1000001x") == "password.too_weak");  // the number's last seven digits
    CHECK(code("qwerty") == "password.too_weak");
    CHECK(code("zzzzzz") == "password.too_weak");
    CHECK(code("tab\there") == "password.too_weak");
    auto e = check_password(cfg, "abc", "375291000001", "new_password");
    REQUIRE(e);
    CHECK(e->data["min_length"] == 5);
    CHECK(e->data["field"] == "new_password");
}

}  // namespace password_policy_test
