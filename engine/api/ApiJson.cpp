#include "engine/api/ApiJson.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "storage/CabinetRules.hpp"

namespace ussdgw::api {

namespace {

using http::HttpStatus;

std::string dump(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_json_content(std::string_view content_type) {
    std::string t = lower(content_type.substr(0, content_type.find(';')));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
        t.pop_back();
    return t == "application/json";
}

const char* kind_name(FieldKind k) {
    switch (k) {
        case FieldKind::string:
            return "a string";
        case FieldKind::boolean:
            return "true or false";
        case FieldKind::integer:
            return "an integer";
    }
    return "a value";
}

bool has_kind(const Json& v, FieldKind k) {
    switch (k) {
        case FieldKind::string:
            return v.is_string();
        case FieldKind::boolean:
            return v.is_boolean();
        case FieldKind::integer:
            return v.is_number_integer();
    }
    return false;
}

// The status of each stable code (the rest: 400 for request.*, 500 otherwise).
HttpStatus status_of(const std::string& code) {
    static const std::map<std::string, HttpStatus, std::less<>> table = {
        {storage::rules::kNotFound, HttpStatus::not_found},
        {"service.unknown", HttpStatus::not_found},
        {storage::rules::kServiceSuspended, HttpStatus::forbidden},
        {storage::rules::kClosedBySubscriber, HttpStatus::forbidden},
        {storage::rules::kClosedByOrganisation, HttpStatus::forbidden},
        {storage::rules::kClosedLostSim, HttpStatus::forbidden},
        {storage::rules::kClosedRestricted, HttpStatus::forbidden},
        {storage::rules::kRoleForbidden, HttpStatus::forbidden},
        {storage::rules::kPukLoginNotAllowed, HttpStatus::forbidden},
        {storage::rules::kAlreadyOpen, HttpStatus::conflict},
        {storage::rules::kAlreadyClosed, HttpStatus::conflict},
        {storage::rules::kKindNotAllowed, HttpStatus::bad_request},
        {storage::rules::kRoleNeedsLegalEntity, HttpStatus::bad_request},
        {"client.kind_conflict", HttpStatus::bad_request},
        {storage::rules::kPasswordWrong, HttpStatus::unauthorized},
        {storage::rules::kPasswordLocked, HttpStatus::locked},
        {storage::rules::kPukWrong, HttpStatus::unauthorized},
        {storage::rules::kPukLocked, HttpStatus::locked},
        {"otp.wrong", HttpStatus::unauthorized},
        {"otp.expired", HttpStatus::unauthorized},
        {storage::rules::kSmsRateLimited, HttpStatus::too_many_requests},
        {"login.rate_limited", HttpStatus::too_many_requests},
        {storage::rules::kAlreadyConnected, HttpStatus::conflict},
        {storage::rules::kNotConnected, HttpStatus::conflict},
        {storage::rules::kRequestOpen, HttpStatus::conflict},
        {storage::rules::kWrongState, HttpStatus::conflict},
        {storage::rules::kBalanceInsufficient, HttpStatus::unprocessable_entity},
    };
    auto it = table.find(code);
    if (it != table.end()) return it->second;
    if (code.rfind("request.", 0) == 0) return HttpStatus::bad_request;
    return HttpStatus::internal_server_error;
}

}  // namespace

ApiError api_error(HttpStatus status, std::string code, std::string message) {
    ApiError e;
    e.status = status;
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
}

ApiError field_error(std::string code, std::string field, std::string message) {
    ApiError e = api_error(HttpStatus::bad_request, std::move(code), std::move(message));
    e.data["field"] = std::move(field);
    return e;
}

ApiError api_error_from(const Error& e, std::int64_t now_ms) {
    if (e.code == "storage.busy")
        return api_error(HttpStatus::service_unavailable, "service.busy",
                         "the password checks are saturated; try again shortly");
    if (e.code == storage::rules::kAnnulled)
        return api_error(HttpStatus::unauthorized, "session.expired",
                         "the session ended before the change was made");
    if (e.code.rfind("storage.", 0) == 0)
        return api_error(HttpStatus::internal_server_error, "internal", "storage failure");
    ApiError out = api_error(status_of(e.code), e.code, e.message);
    if (e.attempts_left) out.data["tries_left"] = *e.attempts_left;
    if (e.until_ms) {
        if (out.status == HttpStatus::too_many_requests) {
            out.retry_after_s = std::max<std::int64_t>(1, (*e.until_ms - now_ms + 999) / 1000);
            out.data["retry_after"] = *out.retry_after_s;
        } else {
            out.data["locked_until"] = utc_rfc3339(*e.until_ms);
        }
    }
    return out;
}

http::Response error_response(const ApiError& e) {
    Json body = {{"code", e.code}, {"message", e.message}};
    for (auto it = e.data.begin(); it != e.data.end(); ++it)
        body[it.key()] = it.value();
    auto res = http::json_response(e.status, dump(Json{{"error", body}}));
    if (e.retry_after_s) res.set(http::bhttp::field::retry_after, std::to_string(*e.retry_after_s));
    return res;
}

http::Response json_ok(const Json& body, HttpStatus status) {
    return http::json_response(status, dump(body));
}

// --- in ------------------------------------------------------------------------------------

ApiResult<Json> read_object(const http::HttpRequest& req, std::initializer_list<Field> fields) {
    if (auto q = read_query(req, {}); !q) return Unexpected<ApiError>{q.error()};
    if (!is_json_content(req.header("Content-Type")))
        return Unexpected<ApiError>{api_error(HttpStatus::unsupported_media_type,
                                              "request.unsupported_media_type",
                                              "the body must be application/json")};
    Json j = Json::parse(req.body(), nullptr, false);
    if (j.is_discarded())
        return Unexpected<ApiError>{
            api_error(HttpStatus::bad_request, "request.bad_json", "the body is not valid JSON")};
    if (!j.is_object())
        return Unexpected<ApiError>{api_error(HttpStatus::bad_request, "request.bad_json",
                                              "the body must be a JSON object")};
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool known = std::any_of(fields.begin(), fields.end(),
                                 [&](const Field& f) { return f.name == it.key(); });
        if (!known)
            return Unexpected<ApiError>{field_error("request.unknown_field", it.key(),
                                                    fmt::format("unknown field '{}'", it.key()))};
    }
    for (const auto& f : fields) {
        auto it = j.find(f.name);
        if (it == j.end() || it->is_null()) {
            if (f.required)
                return Unexpected<ApiError>{field_error("request.missing_field",
                                                        std::string(f.name),
                                                        fmt::format("'{}' is required", f.name))};
            if (it != j.end()) j.erase(it);
            continue;
        }
        if (!has_kind(*it, f.kind))
            return Unexpected<ApiError>{
                field_error("request.invalid_field", std::string(f.name),
                            fmt::format("'{}' must be {}", f.name, kind_name(f.kind)))};
    }
    return j;
}

ApiResult<Ok> read_no_body(const http::HttpRequest& req) {
    if (auto q = read_query(req, {}); !q) return Unexpected<ApiError>{q.error()};
    if (req.body().empty()) return Ok{};
    auto j = read_object(req, {});
    if (!j) return Unexpected<ApiError>{j.error()};
    return Ok{};
}

ApiResult<http::Fields> read_query(const http::HttpRequest& req,
                                   std::initializer_list<std::string_view> allowed) {
    auto q = http::parse_form(req.query());
    if (!q)
        return Unexpected<ApiError>{api_error(HttpStatus::bad_request, "request.invalid_query",
                                              "the query string is malformed")};
    for (std::size_t i = 0; i < q->size(); ++i) {
        const auto& name = (*q)[i].first;
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            return Unexpected<ApiError>{field_error("request.invalid_query", name,
                                                    fmt::format("unknown parameter '{}'", name))};
        for (std::size_t k = 0; k < i; ++k)
            if ((*q)[k].first == name)
                return Unexpected<ApiError>{field_error("request.invalid_query", name,
                                                        fmt::format("'{}' is given twice", name))};
    }
    return std::move(*q);
}

std::optional<std::string> query_value(const http::Fields& q, std::string_view name) {
    for (const auto& [k, v] : q)
        if (k == name) return v;
    return std::nullopt;
}

ApiResult<std::int64_t> query_int(const http::Fields& q, std::string_view name,
                                  std::int64_t fallback, std::int64_t min, std::int64_t max) {
    auto v = query_value(q, name);
    if (!v) return fallback;
    std::int64_t n = 0;
    bool ok = !v->empty() && v->size() <= 18 &&
              std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (ok) n = std::stoll(*v);
    if (!ok || n < min || n > max)
        return Unexpected<ApiError>{
            field_error("request.invalid_query", std::string(name),
                        fmt::format("'{}' must be an integer from {} to {}", name, min, max))};
    return n;
}

ApiResult<PageArgs> read_page(const http::HttpRequest& req) {
    auto q = read_query(req, {"limit", "before"});
    if (!q) return Unexpected<ApiError>{q.error()};
    auto limit = query_int(*q, "limit", 50, 1, 200);
    if (!limit) return Unexpected<ApiError>{limit.error()};
    auto before = query_int(*q, "before", 0, 1, std::int64_t{1} << 53);
    if (!before) return Unexpected<ApiError>{before.error()};
    return PageArgs{static_cast<int>(*limit), *before};
}

ApiResult<storage::Msisdn> read_msisdn(std::string_view text, std::string field) {
    auto m = storage::Msisdn::parse(text);
    if (!m)
        return Unexpected<ApiError>{
            field_error("request.invalid_field", std::move(field), m.error().message)};
    return *m;
}

// --- out -----------------------------------------------------------------------------------

Json time_or_null(std::int64_t ms) {
    return ms > 0 ? Json(utc_rfc3339(ms)) : Json(nullptr);
}

namespace {
Json access_json(const storage::CabinetState& c) {
    Json a = {{"open", c.access_open}};
    a["closed_by"] =
        c.closed_by ? Json(std::string(storage::to_text(*c.closed_by))) : Json(nullptr);
    a["closed_at"] = c.access_open ? Json(nullptr) : time_or_null(c.closed_at_ms);
    return a;
}
}  // namespace

Json account_json(const storage::SubscriberRecord& r, const std::string& currency) {
    const auto& s = r.subscriber;
    const auto& c = r.cabinet;
    return Json{{"msisdn", s.msisdn.text()},
                {"client", {{"id", s.client_id}, {"kind", storage::to_text(s.client_kind)}}},
                {"role", storage::to_text(s.role)},
                {"tariff_plan", s.tariff_plan},
                {"payment", storage::to_text(s.payment)},
                {"balance", s.balance_minor},
                {"currency", currency},
                {"service_state", storage::to_text(s.service)},
                {"access", access_json(c)},
                {"puk_login_allowed", c.puk_login_allowed},
                {"has_password", c.has_password},
                {"password_set_at", c.has_password ? time_or_null(c.password_set_at_ms) : Json()},
                {"language", s.language}};
}

Json staff_subscriber_json(const storage::SubscriberRecord& r, const std::string& currency,
                           std::int64_t now_ms) {
    Json j = account_json(r, currency);
    const auto& c = r.cabinet;
    j["puk_login_enabled"] = r.subscriber.puk_login_enabled;
    j["puk_failures"] = c.puk_failures;
    j["puk_locked_until"] =
        c.puk_locked_until_ms > now_ms ? Json(utc_rfc3339(c.puk_locked_until_ms)) : Json(nullptr);
    j["password_failures"] = c.password_failures;
    j["password_locked_until"] = c.password_locked_until_ms > now_ms
                                     ? Json(utc_rfc3339(c.password_locked_until_ms))
                                     : Json(nullptr);
    return j;
}

Json org_subscriber_json(const storage::SubscriberRecord& r) {
    const auto& s = r.subscriber;
    return Json{{"msisdn", s.msisdn.text()},
                {"role", storage::to_text(s.role)},
                {"tariff_plan", s.tariff_plan},
                {"service_state", storage::to_text(s.service)},
                {"access", access_json(r.cabinet)}};
}

Json audit_json(const storage::AuditEntry& e) {
    return Json{{"id", e.id},
                {"at", utc_rfc3339(e.at_ms)},
                {"action", e.action},
                {"actor",
                 {{"kind", storage::to_text(e.actor.kind) == "operator"
                               ? "operator_staff"
                               : std::string(storage::to_text(e.actor.kind))},
                  {"id", e.actor.id}}},
                {"channel", storage::to_text(e.channel)},
                {"detail", e.detail}};
}

Json request_json(const storage::ServiceRequest& r) {
    auto opt = [](const std::optional<std::int64_t>& v) {
        return v ? Json(utc_rfc3339(*v)) : Json(nullptr);
    };
    return Json{{"id", r.id},
                {"service", r.service},
                {"action", storage::to_text(r.action)},
                {"state", storage::to_text(r.state)},
                {"price", r.price},
                {"created_at", utc_rfc3339(r.created_at_ms)},
                {"confirmed_at", opt(r.confirmed_at_ms)},
                {"effective_by", opt(r.effective_by_ms)},
                {"finished_at", opt(r.finished_at_ms)},
                {"refusal", r.refusal.empty() ? Json(nullptr) : Json(r.refusal)}};
}

Json call_json(const storage::CallRecord& c) {
    return Json{{"id", c.id},
                {"started_at", utc_rfc3339(c.started_at_ms)},
                {"direction", c.direction},
                {"other_party", c.other_party},
                {"duration_seconds", c.duration_s},
                {"cost", c.cost_minor}};
}

Json sms_json(const storage::SmsRecord& s) {
    return Json{{"id", s.id},
                {"kind", s.kind},
                {"state", storage::to_text(s.state)},
                {"attempts", s.attempts},
                {"parts", s.parts},
                {"parts_delivered", s.parts_delivered},
                {"created_at", utc_rfc3339(s.created_at_ms)},
                {"updated_at", utc_rfc3339(s.updated_at_ms)},
                {"last_error", s.last_error}};
}

}  // namespace ussdgw::api
