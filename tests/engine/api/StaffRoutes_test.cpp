// The routes of those who manage other numbers (StaffRoutes.cpp) over real HTTP on loopback
// and a real storage: the operator's /ops routes with a named token, and the /org routes of
// a legal entity's administrator, with each refusal.
#include <doctest/doctest.h>

#include "engine/api/ApiTestSupport.hpp"

namespace staff_routes_test {

using namespace ussdgw;
using test::ApiHarness;

TEST_CASE("staff routes: /ops needs an operator token, not a subscriber session") {
    ApiHarness h;
    auto path = std::string("/api/v1/ops/subscribers/") + test::kIndividual;
    auto none = h.call("GET", path);
    CHECK(none.refusal() == test::Refusal{401, "auth.required"});
    auto wrong = h.call("GET", path, "", "Authorization: Bearer ops_not-a-known-token\r\n");
    CHECK(wrong.status == 401);
    auto session = h.call("GET", path, "", ApiHarness::bearer(h.puk_session()));
    CHECK(session.refusal() == test::Refusal{403, "auth.wrong_token_kind"});
    auto ok = h.staff_call("GET", path);
    CHECK(ok.status == 200);
    CHECK(ok.body.at("msisdn") == test::kIndividual);
}

TEST_CASE("staff routes: /ops refusals of unknown numbers, bad bodies and wrong states") {
    ApiHarness h;
    CHECK(h.staff_call("GET", "/api/v1/ops/subscribers/375299999999").status == 404);
    CHECK(h.staff_call("GET", "/api/v1/ops/subscribers/12ab").status == 400);
    auto csv = h.staff_call("POST", "/api/v1/ops/subscribers/import", R"({"a":1})");
    CHECK(csv.status == 415);
    auto partial = h.staff_call("POST", "/api/v1/ops/subscribers/import?partial=maybe");
    CHECK(partial.code() == "request.invalid_query");
    auto path = std::string("/api/v1/ops/subscribers/") + test::kIndividual;
    auto opened = h.staff_call("POST", path + "/access/open");
    CHECK(opened.status == 409);  // its access is open already
    CHECK(opened.code() == "access.already_open");
    auto puk = h.staff_call("PUT", path + "/puk-login", R"({"enabled":"yes"})");
    CHECK(puk.status == 400);
    CHECK(h.staff_call("GET", path + "/audit").status == 200);
    CHECK(h.staff_call("GET", path + "/sms").status == 200);
}

TEST_CASE("staff routes: /org is for a legal entity's managers, within their own client") {
    ApiHarness h;
    // An individual subscriber is no manager.
    auto individual = ApiHarness::bearer(h.puk_session());
    auto a = h.call("GET", "/api/v1/org/subscribers", "", individual);
    CHECK(a.refusal() == test::Refusal{403, "role.forbidden"});
    // The operator lets the administrator log in by PUK1.
    auto admin = std::string("/api/v1/ops/subscribers/") + test::kAdministrator;
    REQUIRE(h.staff_call("PUT", admin + "/puk-login", R"({"enabled":true})").status == 200);
    auto auth = ApiHarness::bearer(h.puk_session(test::kAdministrator, "55555551"));
    auto list = h.call("GET", "/api/v1/org/subscribers", "", auth);
    CHECK(list.status == 200);
    CHECK(list.body.at("items").is_array());
    CHECK(h.call("GET", "/api/v1/org/subscribers?prefix=x", "", auth).code() ==
          "request.invalid_query");
    CHECK(h.call("GET", "/api/v1/org/subscribers?access=ajar", "", auth).code() ==
          "request.invalid_query");
    // Another client's number is answered exactly like an unknown one.
    auto other =
        h.call("GET", std::string("/api/v1/org/subscribers/") + test::kIndividual, "", auth);
    auto unknown = h.call("GET", "/api/v1/org/subscribers/375299999999", "", auth);
    CHECK(other.status == 404);
    CHECK(other.body == unknown.body);
}

}  // namespace staff_routes_test
