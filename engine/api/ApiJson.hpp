// The cabinet API's JSON, both ways, with no socket. In: a request body as a JSON object with
// exactly the declared fields, each of its type (unknown, missing or wrongly typed fields,
// bad JSON and a wrong Content-Type are refused with the field named), and query strings with
// only the declared parameters. Out: the records as the contract (engine/api/openapi.yaml)
// describes them, times as RFC 3339 UTC, money in minor units; errors as
// {"error": {"code", "message", ...data}} with the HTTP status their code calls for
// (`api_error_from`: the storage layer's stable codes, with their data: tries left, lockout
// and rate-limit ends).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/Result.hpp"
#include "engine/base/UtcTime.hpp"
#include "engine/http/HttpMessage.hpp"
#include "storage/AuditLog.hpp"
#include "storage/CallRecords.hpp"
#include "storage/ServiceRequests.hpp"
#include "storage/SessionStore.hpp"
#include "storage/Types.hpp"
#include "storage/WebCabinet.hpp"

namespace ussdgw::api {

using Json = nlohmann::ordered_json;

struct ApiError {
    http::HttpStatus status = http::HttpStatus::bad_request;
    std::string code;
    std::string message;
    Json data = Json::object();                 // more fields beside code and message
    std::optional<std::int64_t> retry_after_s;  // also sent as the Retry-After header
};
template <typename T>
using ApiResult = Result<T, ApiError>;

ApiError api_error(http::HttpStatus status, std::string code, std::string message);
// "request.invalid_field" and friends: 400 with the field named.
ApiError field_error(std::string code, std::string field, std::string message);
// A storage Error as the API answers it (status by code; data from the Error's fields,
// times relative to `now_ms`).
ApiError api_error_from(const Error& e, std::int64_t now_ms);
http::Response error_response(const ApiError& e);
http::Response json_ok(const Json& body, http::HttpStatus status = http::HttpStatus::ok);

// --- in ------------------------------------------------------------------------------------
enum class FieldKind { string, boolean, integer };
struct Field {
    std::string_view name;
    FieldKind kind;
    bool required = true;
};
// The body as a JSON object of these fields (Content-Type application/json); no query.
ApiResult<Json> read_object(const http::HttpRequest& req, std::initializer_list<Field> fields);
// A route without a body: none, or an empty JSON object; no query.
ApiResult<Ok> read_no_body(const http::HttpRequest& req);

// The query string with only `allowed` parameters, each at most once.
ApiResult<http::Fields> read_query(const http::HttpRequest& req,
                                   std::initializer_list<std::string_view> allowed);
// An integer query parameter within [min, max] (`fallback` when absent).
ApiResult<std::int64_t> query_int(const http::Fields& q, std::string_view name,
                                  std::int64_t fallback, std::int64_t min, std::int64_t max);
std::optional<std::string> query_value(const http::Fields& q, std::string_view name);
// ?limit=&before= and nothing else (limit 1 to 200, default 50; before: an id, 0 = newest).
struct PageArgs {
    int limit = 50;
    std::int64_t before = 0;
};
ApiResult<PageArgs> read_page(const http::HttpRequest& req);
// {"items": [...], "next_before": id or null}
template <typename T, typename F>
Json page_json(const storage::Page<T>& p, F to_json) {
    Json items = Json::array();
    for (const auto& i : p.items)
        items.push_back(to_json(i));
    return Json{{"items", items}, {"next_before", p.next ? Json(*p.next) : Json(nullptr)}};
}
// {msisdn} or another MSISDN: "request.invalid_field" naming `field`.
ApiResult<storage::Msisdn> read_msisdn(std::string_view text, std::string field);

// --- out -----------------------------------------------------------------------------------
Json time_or_null(std::int64_t ms);  // 0 = null
Json account_json(const storage::SubscriberRecord& r, const std::string& currency);
Json staff_subscriber_json(const storage::SubscriberRecord& r, const std::string& currency,
                           std::int64_t now_ms);
Json org_subscriber_json(const storage::SubscriberRecord& r);
Json audit_json(const storage::AuditEntry& e);
Json request_json(const storage::ServiceRequest& r);
Json call_json(const storage::CallRecord& c);
Json sms_json(const storage::SmsRecord& s);

}  // namespace ussdgw::api
