// The API's request checks and error answers, with no socket.
#include "engine/api/ApiJson.hpp"

#include <doctest/doctest.h>

namespace api_json_test {

using namespace ussdgw;
using namespace ussdgw::api;

namespace {
http::HttpRequest request(http::Verb verb, std::string target, std::string body,
                          std::string content_type = "application/json") {
    http::Request m{verb, target, 11};
    m.set(http::bhttp::field::host, "x");
    if (!content_type.empty()) m.set(http::bhttp::field::content_type, content_type);
    m.body() = std::move(body);
    m.prepare_payload();
    return http::HttpRequest(std::move(m), "127.0.0.1", 1, "main");
}

const std::initializer_list<Field> kLogin = {{"msisdn", FieldKind::string},
                                             {"password", FieldKind::string, false},
                                             {"n", FieldKind::integer, false},
                                             {"b", FieldKind::boolean, false}};
}  // namespace

TEST_CASE("a body with the declared fields of their types is read") {
    auto r = read_object(
        request(http::Verb::post, "/x", R"({"msisdn":"375291000001","n":5,"b":true})"), kLogin);
    REQUIRE(r.ok());
    CHECK((*r)["msisdn"] == "375291000001");
    CHECK((*r)["n"] == 5);
    CHECK(!r->contains("password"));
    // null is the same as absent for an optional field
    auto n =
        read_object(request(http::Verb::post, "/x", R"({"msisdn":"1","password":null})"), kLogin);
    REQUIRE(n.ok());
    CHECK(!n->contains("password"));
}

TEST_CASE("bad bodies are refused with the field named") {
    struct Case {
        std::string body, content_type, code, field;
        http::HttpStatus status;
    };
    using S = http::HttpStatus;
    std::vector<Case> cases = {
        {R"({"msisdn":"1")", "application/json", "request.bad_json", "", S::bad_request},
        {"[]", "application/json", "request.bad_json", "", S::bad_request},
        {"\"x\"", "application/json", "request.bad_json", "", S::bad_request},
        {"{\"msisdn\":\"\xff\"}", "application/json", "request.bad_json", "", S::bad_request},
        {R"({"msisdn":"1","zz":1})", "application/json", "request.unknown_field", "zz",
         S::bad_request},
        {R"({"password":"x"})", "application/json", "request.missing_field", "msisdn",
         S::bad_request},
        {R"({"msisdn":1})", "application/json", "request.invalid_field", "msisdn", S::bad_request},
        {R"({"msisdn":"1","n":1.5})", "application/json", "request.invalid_field", "n",
         S::bad_request},
        {R"({"msisdn":"1","b":"yes"})", "application/json", "request.invalid_field", "b",
         S::bad_request},
        {R"({"msisdn":"1"})", "text/plain", "request.unsupported_media_type", "",
         S::unsupported_media_type},
        {R"({"msisdn":"1"})", "", "request.unsupported_media_type", "", S::unsupported_media_type},
    };
    for (const auto& c : cases) {
        CAPTURE(c.body);
        auto r = read_object(request(http::Verb::post, "/x", c.body, c.content_type), kLogin);
        REQUIRE(!r.ok());
        CHECK(r.error().code == c.code);
        CHECK(r.error().status == c.status);
        if (!c.field.empty()) CHECK(r.error().data["field"] == c.field);
    }
    CHECK(read_object(request(http::Verb::post, "/x", R"({"msisdn":"1"})",
                              "Application/JSON; charset=utf-8"),
                      kLogin)
              .ok());
}

TEST_CASE("query strings hold only the declared parameters, once") {
    CHECK(read_query(request(http::Verb::get, "/x?limit=5", ""), {"limit"}).ok());
    auto unknown = read_query(request(http::Verb::get, "/x?zz=1", ""), {"limit"});
    REQUIRE(!unknown.ok());
    CHECK(unknown.error().code == "request.invalid_query");
    CHECK(!read_query(request(http::Verb::get, "/x?limit=1&limit=2", ""), {"limit"}).ok());
    CHECK(!read_query(request(http::Verb::get, "/x?limit=%zz", ""), {"limit"}).ok());
    auto page = read_page(request(http::Verb::get, "/x?limit=0", ""));
    CHECK(!page.ok());
    CHECK(!read_page(request(http::Verb::get, "/x?before=-1", "")).ok());
    CHECK(!read_page(request(http::Verb::get, "/x?limit=201", "")).ok());
    auto ok = read_page(request(http::Verb::get, "/x?limit=200&before=7", ""));
    REQUIRE(ok.ok());
    CHECK(ok->limit == 200);
    CHECK(ok->before == 7);
    // Body routes take no query at all.
    CHECK(!read_no_body(request(http::Verb::post, "/x?a=1", "")).ok());
    CHECK(read_no_body(request(http::Verb::post, "/x", "{}")).ok());
    CHECK(!read_no_body(request(http::Verb::post, "/x", R"({"a":1})")).ok());
}

TEST_CASE("storage refusals become answers with their data") {
    Error wrong{"password.wrong", "wrong"};
    wrong.attempts_left = 2;
    auto e = api_error_from(wrong, 0);
    CHECK(e.status == http::HttpStatus::unauthorized);
    CHECK(e.data["tries_left"] == 2);

    Error locked{"password.locked", "locked"};
    locked.until_ms = 1'764'092'640'000;  // 2025-11-25T17:44:00Z
    e = api_error_from(locked, 0);
    CHECK(e.status == http::HttpStatus::locked);
    CHECK(e.data["locked_until"] == "2025-11-25T17:44:00Z");

    Error limited{"sms.rate_limited", "later"};
    limited.until_ms = 10'500;
    e = api_error_from(limited, 1'000);
    CHECK(e.status == http::HttpStatus::too_many_requests);
    CHECK(e.data["retry_after"] == 10);
    auto res = error_response(e);
    CHECK(res[http::bhttp::field::retry_after] == "10");
    auto body = Json::parse(res.body());
    CHECK(body["error"]["code"] == "sms.rate_limited");
    CHECK(body["error"]["retry_after"] == 10);

    CHECK(api_error_from({"storage.busy", ""}, 0).code == "service.busy");
    CHECK(api_error_from({"storage.busy", ""}, 0).status == http::HttpStatus::service_unavailable);
    CHECK(api_error_from({"request.annulled", ""}, 0).code == "session.expired");
    CHECK(api_error_from({"storage.sqlite", "disk I/O"}, 0).message == "storage failure");
    CHECK(api_error_from({"access.closed_by_organisation", ""}, 0).status ==
          http::HttpStatus::forbidden);
    CHECK(api_error_from({"not_found", ""}, 0).status == http::HttpStatus::not_found);
    CHECK(api_error_from({"balance.insufficient", ""}, 0).status ==
          http::HttpStatus::unprocessable_entity);
    CHECK(api_error_from({"request.wrong_state", ""}, 0).status == http::HttpStatus::conflict);
}

TEST_CASE("records render as the contract says") {
    CHECK(utc_rfc3339(0) == "1970-01-01T00:00:00Z");
    CHECK(time_or_null(0).is_null());
    storage::SubscriberRecord r;
    r.subscriber.msisdn = storage::Msisdn::from_number(375291000001);
    r.subscriber.balance_minor = 1540;
    r.cabinet.access_open = false;
    r.cabinet.closed_by = storage::ClosedBy::organisation;
    r.cabinet.closed_at_ms = 1000;
    auto j = account_json(r, "BYN");
    CHECK(j["msisdn"] == "375291000001");
    CHECK(j["balance"] == 1540);
    CHECK(j["access"]["closed_by"] == "organisation");
    CHECK(j["access"]["closed_at"] == "1970-01-01T00:00:01Z");
    CHECK(j["password_set_at"].is_null());
    storage::AuditEntry e;
    e.actor = {storage::ActorKind::operator_staff, "anna"};
    e.channel = storage::Channel::web;
    CHECK(audit_json(e)["actor"]["kind"] == "operator_staff");
    CHECK(audit_json(e)["channel"] == "web");
}

}  // namespace api_json_test
