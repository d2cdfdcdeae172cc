// The public routes (PublicRoutes.cpp) over real HTTP on loopback and a real storage: the
// catalogue and the document, login by password or PUK1 and each of its refusals, the SMS
// code request and the password reset, and the per-address limits.
#include <doctest/doctest.h>

#include "engine/api/ApiTestSupport.hpp"

namespace public_routes_test {

using namespace ussdgw;
using test::ApiHarness;

using test::login_body;

namespace {

// A wrong login credential (or an unknown number, told apart by nothing): counted, tries left.
void check_counted(const test::ApiAnswer& a) {
    CHECK(a.refusal() == test::Refusal{401, "password.wrong"});
    CHECK(a.body["error"].contains("tries_left"));
}

}  // namespace

TEST_CASE("public routes: the catalogue and the contract are served to anyone") {
    ApiHarness h;
    auto a = h.call("GET", "/api/v1/services");
    CHECK(a.status == 200);
    CHECK(a.body.at("items").is_array());
    auto doc = h.call("GET", "/api/v1/openapi.yaml");
    CHECK(doc.status == 200);
    CHECK(doc.raw.body().find("openapi:") != std::string::npos);
}

TEST_CASE("public routes: login refusals, each with its code") {
    ApiHarness h;
    SUBCASE("no password and no PUK1") {
        auto a = h.call("POST", "/api/v1/login", R"({"msisdn":"375291000001"})");
        CHECK(a.refusal() == test::Refusal{400, "request.missing_field"});
    }
    SUBCASE("both a password and a PUK1") {
        auto a = h.call("POST", "/api/v1/login",
                        R"({"msisdn":"375291000001","password":"x","puk1":"11111111"})");
        CHECK(a.refusal() == test::Refusal{400, "request.invalid_field"});
    }
    SUBCASE("a PUK1 that is not 8 digits") {
        auto a = h.call("POST", "/api/v1/login", login_body(test::kPukLogin, "puk1", "123"));
        CHECK(a.refusal() == test::Refusal{400, "request.invalid_field"});
    }
    SUBCASE("a number that is not one") {
        auto a = h.call("POST", "/api/v1/login", login_body("12ab", "password", "secret"));
        CHECK(a.status == 400);
    }
    SUBCASE("a wrong password is counted") {
        check_counted(
            h.call("POST", "/api/v1/login", login_body(test::kIndividual, "password", "nope")));
    }
    SUBCASE("an unknown number is answered like a wrong password") {
        check_counted(
            h.call("POST", "/api/v1/login", login_body("375299999999", "password", "nope")));
    }
    SUBCASE("PUK1 login of a subscriber who may not use it") {
        auto a = h.call("POST", "/api/v1/login", login_body(test::kIndividual, "puk1", "11111111"));
        CHECK(a.refusal() == test::Refusal{403, "puk.login_not_allowed"});
    }
    SUBCASE("a wrong PUK1 at login is counted as a wrong login credential") {
        check_counted(
            h.call("POST", "/api/v1/login", login_body(test::kPukLogin, "puk1", "00000000")));
    }
    SUBCASE("a body that is not JSON") {
        auto a = h.call("POST", "/api/v1/login", "{not json");
        CHECK(a.refusal() == test::Refusal{400, "request.bad_json"});
    }
}

TEST_CASE("public routes: a PUK1 login opens a session with its cookie") {
    ApiHarness h;
    auto a = h.call("POST", "/api/v1/login", login_body(test::kPukLogin, "puk1", "33333333"));
    REQUIRE(a.status == 200);
    CHECK(a.body.at("msisdn") == test::kPukLogin);
    CHECK(a.body.at("method") == "puk");
    CHECK_FALSE(a.body.at("token").get<std::string>().empty());
    CHECK_FALSE(a.body.at("csrf_token").get<std::string>().empty());
    CHECK_FALSE(a.raw["Set-Cookie"].empty());
}

TEST_CASE("public routes: wrong logins from one address are refused past its limit") {
    ApiHarness h([](api::ApiConfig& c) { c.login_failures_per_address = 2; });
    for (int i = 0; i < 2; ++i)
        CHECK(h.call("POST", "/api/v1/login", login_body(test::kIndividual, "password", "no"))
                  .status == 401);
    auto a = h.call("POST", "/api/v1/login", login_body(test::kIndividual, "password", "no"));
    CHECK(a.refusal() == test::Refusal{429, "login.rate_limited"});
    CHECK_FALSE(a.raw["Retry-After"].empty());
}

TEST_CASE("public routes: SMS codes are asked for, the same answer for anyone, within limits") {
    ApiHarness h([](api::ApiConfig& c) { c.code_requests_per_address = 2; });
    auto bad =
        h.call("POST", "/api/v1/password/code", R"({"msisdn":"375291000001","purpose":"guess"})");
    CHECK(bad.refusal() == test::Refusal{400, "request.invalid_field"});
    auto known = h.call("POST", "/api/v1/password/code",
                        R"({"msisdn":"375291000001","purpose":"register"})");
    CHECK(known.status == 202);
    CHECK(known.body.at("expires_in_seconds") == 300);
    auto unknown =
        h.call("POST", "/api/v1/password/code", R"({"msisdn":"375299999999","purpose":"recover"})");
    CHECK(unknown.status == 202);
    CHECK(unknown.body == known.body);
    auto limited = h.call("POST", "/api/v1/password/code",
                          R"({"msisdn":"375291000001","purpose":"register"})");
    CHECK(limited.status == 429);
    CHECK(h.sms_queued == 1);  // the known number's code went to the outbox
}

TEST_CASE("public routes: a password reset needs a 6-digit code, the policy and the right code") {
    ApiHarness h;
    auto a = h.call("POST", "/api/v1/password/reset",
                    R"({"msisdn":"375291000001","code":"12","password":"Long-enough-1"})");
    CHECK(a.refusal() == test::Refusal{400, "request.invalid_field"});
    a = h.call("POST", "/api/v1/password/reset",
               R"({"msisdn":"375291000001","code":"123456","password":"1"})");
    CHECK(a.status == 400);
    a = h.call("POST", "/api/v1/password/reset",
               R"({"msisdn":"375291000001","code":"123456","password":"Long-enough-1"})");
    CHECK(a.status == 401);
    CHECK((a.code() == "otp.wrong" || a.code() == "otp.expired"));
}

}  // namespace public_routes_test
