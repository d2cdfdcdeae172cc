// CabinetApi's own logic over real HTTP on loopback and a real storage: authenticating a
// subscriber (Bearer or cookie, the CSRF token on cookie changes, idle sessions) and the
// operator, and answering a storage refusal.
#include "engine/api/CabinetApi.hpp"

#include <doctest/doctest.h>

#include "engine/api/ApiTestSupport.hpp"

namespace cabinet_api_test {

using namespace ussdgw;
using test::ApiHarness;

namespace {

// "name=value" of the login answer's Set-Cookie.
std::string cookie_of(const test::ApiAnswer& login) {
    std::string set(login.raw["Set-Cookie"]);
    return set.substr(0, set.find(';'));
}

}  // namespace

TEST_CASE("cabinet api: no credentials, an unknown session, an operator token as a subscriber") {
    ApiHarness h;
    auto none = h.call("GET", "/api/v1/me");
    CHECK(none.refusal() == test::Refusal{401, "auth.required"});
    auto unknown = h.call("GET", "/api/v1/me", "", ApiHarness::bearer("not-a-session"));
    CHECK(unknown.status == 401);
    auto staff = h.staff_call("GET", "/api/v1/me");
    CHECK(staff.refusal() == test::Refusal{403, "auth.wrong_token_kind"});
}

TEST_CASE("cabinet api: a cookie session reads freely; its changes need the CSRF token") {
    ApiHarness h;
    auto login =
        h.call("POST", "/api/v1/login", test::login_body(test::kPukLogin, "puk1", "33333333"));
    REQUIRE(login.status == 200);
    std::string cookie = "Cookie: " + cookie_of(login) + "\r\n";
    CHECK(h.call("GET", "/api/v1/me", "", cookie).status == 200);
    auto missing = h.call("POST", "/api/v1/logout", "", cookie);
    CHECK(missing.refusal() == test::Refusal{403, "csrf.missing"});
    auto wrong = h.call("POST", "/api/v1/logout", "", cookie + "X-CSRF-Token: nope\r\n");
    CHECK(wrong.refusal() == test::Refusal{403, "csrf.invalid"});
    auto csrf = "X-CSRF-Token: " + login.body.at("csrf_token").get<std::string>() + "\r\n";
    CHECK(h.call("POST", "/api/v1/logout", "", cookie + csrf).status == 204);
    // The ended session's cookie is told to go.
    auto after = h.call("GET", "/api/v1/me", "", cookie);
    CHECK(after.status == 401);
    CHECK_FALSE(after.raw["Set-Cookie"].empty());
}

TEST_CASE("cabinet api: a session left idle past its timeout has ended") {
    ApiHarness h([](api::ApiConfig& c) { c.session_idle_timeout = std::chrono::minutes(15); });
    auto auth = ApiHarness::bearer(h.puk_session());
    CHECK(h.call("GET", "/api/v1/me", "", auth).status == 200);
    h.clock.advance(std::chrono::minutes(16));
    auto a = h.call("GET", "/api/v1/me", "", auth);
    CHECK(a.refusal() == test::Refusal{401, "session.expired"});
}

}  // namespace cabinet_api_test
