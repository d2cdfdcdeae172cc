// The subscriber's routes (SubscriberRoutes.cpp) over real HTTP on loopback and a real
// storage, with a session opened by PUK1: what a session reads, and each refusal of the
// routes that change something.
#include <doctest/doctest.h>

#include "engine/api/ApiTestSupport.hpp"

namespace subscriber_routes_test {

using namespace ussdgw;
using test::ApiHarness;

TEST_CASE("subscriber routes: the session and the account of the caller") {
    ApiHarness h;
    auto auth = ApiHarness::bearer(h.puk_session());
    auto s = h.call("GET", "/api/v1/session", "", auth);
    CHECK(s.status == 200);
    auto me = h.call("GET", "/api/v1/me", "", auth);
    CHECK(me.status == 200);
    CHECK(me.body.at("msisdn") == test::kPukLogin);
    CHECK(h.call("GET", "/api/v1/me?x=1", "", auth).code() == "request.invalid_query");
    CHECK(h.call("GET", "/api/v1/me/audit", "", auth).status == 200);
}

TEST_CASE("subscriber routes: refusals of the password change") {
    ApiHarness h;
    auto auth = ApiHarness::bearer(h.puk_session());
    SUBCASE("the same password twice") {
        auto a = h.call("POST", "/api/v1/me/password",
                        R"({"current_password":"Abcdef-1","new_password":"Abcdef-1"})", auth);
        CHECK(a.refusal() == test::Refusal{400, "password.same"});
    }
    SUBCASE("a password against the policy") {
        auto a = h.call("POST", "/api/v1/me/password", R"({"new_password":"1"})", auth);
        CHECK(a.status == 400);
    }
    SUBCASE("a PUK1 session of a subscriber without a password sets one, which ends it") {
        auto a = h.call("POST", "/api/v1/me/password", R"({"new_password":"Good-pass-42"})", auth);
        CHECK(a.status == 204);
        CHECK(h.call("GET", "/api/v1/me", "", auth).status == 401);
        auto login = h.call("POST", "/api/v1/login",
                            test::login_body(test::kPukLogin, "password", "Good-pass-42"));
        CHECK(login.status == 200);
    }
}

TEST_CASE("subscriber routes: call details need a step-up code") {
    ApiHarness h;
    auto auth = ApiHarness::bearer(h.puk_session());
    auto a = h.call("GET", "/api/v1/me/calls", "", auth);
    CHECK(a.refusal() == test::Refusal{403, "step_up.required"});
}

TEST_CASE("subscriber routes: service requests that cannot be made or found") {
    ApiHarness h;
    auto auth = ApiHarness::bearer(h.puk_session());
    CHECK(h.call("GET", "/api/v1/me/services", "", auth).status == 200);
    CHECK(h.call("GET", "/api/v1/me/service-requests", "", auth).status == 200);
    auto none = h.call("GET", "/api/v1/me/service-requests/999", "", auth);
    CHECK(none.status == 404);
    auto confirm = h.call("POST", "/api/v1/me/service-requests/999/confirm", "", auth);
    CHECK(confirm.status == 404);
    auto bad_id = h.call("GET", "/api/v1/me/service-requests/abc", "", auth);
    CHECK(bad_id.status == 400);
}

TEST_CASE("subscriber routes: logout ends the session") {
    ApiHarness h;
    auto auth = ApiHarness::bearer(h.puk_session());
    CHECK(h.call("POST", "/api/v1/logout", "", auth).status == 204);
    auto a = h.call("GET", "/api/v1/me", "", auth);
    CHECK(a.status == 401);
}

}  // namespace subscriber_routes_test
