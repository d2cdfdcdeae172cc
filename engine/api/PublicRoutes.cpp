// The public routes: login, one-time codes and the password reset (registration and
// recovery), the service catalogue, the contract itself.
#include "engine/api/CabinetApi.hpp"
#include "engine/api/PasswordPolicy.hpp"
#include "engine/base/Log.hpp"

namespace ussdgw::api {

namespace {

constexpr std::size_t kMaxSecretBytes = 1024;

bool digits(const std::string& s, std::size_t n) {
    return s.size() == n &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

ApiError rate_limited(std::int64_t until_ms, std::int64_t now_ms) {
    Error e{"login.rate_limited", "too many attempts from this address; try again later"};
    e.until_ms = until_ms;
    return api_error_from(e, now_ms);
}

}  // namespace

void CabinetApi::add_public_routes(http::Router& router) {
    router.add(Verb::get, "/api/v1/openapi.yaml", [](const HttpRequest& req, HttpResponder r) {
        if (auto q = read_query(req, {}); !q) return r.send(error_response(q.error()));
        auto res = http::text_response(HttpStatus::ok, std::string(openapi_document()),
                                       "application/yaml; charset=utf-8");
        res.set(http::bhttp::field::cache_control, "no-cache");
        r.send(std::move(res));
    });

    router.add(Verb::get, "/api/v1/services", [this](const HttpRequest& req, HttpResponder r) {
        auto q = read_query(req, {});
        if (!q) return r.send(error_response(q.error()));
        Json items = Json::array();
        for (const auto& s : cfg_.services)
            items.push_back({{"code", s.code},
                             {"name", {{"ru", s.name_ru}, {"en", s.name_en}, {"be", s.name_be}}},
                             {"price", s.price},
                             {"currency", cfg_.currency}});
        r.send(json_ok({{"items", items}}));
    });

    router.add(Verb::post, "/api/v1/login", [this](const HttpRequest& req, HttpResponder r) {
        auto body = read_object(req, {{"msisdn", FieldKind::string},
                                      {"password", FieldKind::string, false},
                                      {"puk1", FieldKind::string, false}});
        if (!body) return r.send(error_response(body.error()));
        auto m = read_msisdn((*body)["msisdn"].get<std::string>(), "msisdn");
        if (!m) return r.send(error_response(m.error()));
        bool by_puk = body->contains("puk1");
        if (by_puk == body->contains("password"))
            return r.send(
                error_response(by_puk ? field_error("request.invalid_field", "puk1",
                                                    "give the password or the PUK1, not both")
                                      : field_error("request.missing_field", "password",
                                                    "the password (or the PUK1) is required")));
        std::string secret = (*body)[by_puk ? "puk1" : "password"].get<std::string>();
        body->clear();
        if (by_puk ? !digits(secret, 8) : (secret.empty() || secret.size() > kMaxSecretBytes))
            return r.send(error_response(field_error(
                "request.invalid_field", by_puk ? "puk1" : "password",
                by_puk ? "the PUK1 is 8 digits" : "the password must be 1 to 1024 bytes")));
        std::string address = client_address(req, cfg_.trusted_proxies);
        std::int64_t t = now();
        if (auto until = login_failures_.blocked_until(address, t))
            return r.send(error_response(rate_limited(*until, t)));
        // An unknown number's lockout, told before any check (as a subscriber's is).
        if (auto st = storage::rules::check_lockout(unknown_.counter(m->number()), t,
                                                    storage::rules::kPasswordLocked);
            !st)
            return r.send(error_response(api_error_from(st.error(), t)));
        storage::LoginAttempt attempt{*m, by_puk, Secret(std::move(secret)), address};
        web_->login(std::move(attempt),
                    lifetime_.guard([this, r, m = *m, address](Result<storage::SessionGranted> g) {
                        std::int64_t t2 = now();
                        if (g) {
                            log::info("api.login", "msisdn", m.text(), "method", g->session.method,
                                      "outcome", "ok");
                            return r.send(session_opened(*g));
                        }
                        Error e = g.error();
                        if (e.code == "login.unknown") {
                            // Answered exactly like a subscriber's wrong password.
                            auto next = unknown_.fail(m.number(), t2);
                            e = storage::rules::wrong_entry(next, t2, unknown_.max_wrong(),
                                                            storage::rules::kPasswordWrong,
                                                            storage::rules::kPasswordLocked)
                                    .error;
                            if (!e.attempts_left) e.attempts_left = 0;
                        }
                        // Counted per address when a credential was checked and found wrong
                        // (a lockout told before any check carries no attempts_left).
                        if (e.attempts_left) login_failures_.record(address, t2);
                        log::info("api.login", "msisdn", m.text(), "outcome", e.code);
                        refuse(r, e);
                    }));
    });

    router.add(
        Verb::post, "/api/v1/password/code", [this](const HttpRequest& req, HttpResponder r) {
            auto body =
                read_object(req, {{"msisdn", FieldKind::string}, {"purpose", FieldKind::string}});
            if (!body) return r.send(error_response(body.error()));
            auto m = read_msisdn((*body)["msisdn"].get<std::string>(), "msisdn");
            if (!m) return r.send(error_response(m.error()));
            std::string purpose = (*body)["purpose"].get<std::string>();
            if (purpose != "register" && purpose != "recover")
                return r.send(error_response(field_error("request.invalid_field", "purpose",
                                                         "purpose is register or recover")));
            std::string address = client_address(req, cfg_.trusted_proxies);
            std::int64_t t = now();
            if (auto until = code_requests_.blocked_until(address, t))
                return r.send(error_response(rate_limited(*until, t)));
            code_requests_.record(address, t);
            auto p = purpose == "register" ? storage::CodePurpose::register_password
                                           : storage::CodePurpose::recover_password;
            web_->send_code(
                *m, p, std::nullopt,
                lifetime_.guard([this, r, m = *m](Result<storage::CodeStored> sent) {
                    Json body = {
                        {"expires_in_seconds", cfg_.code_ttl.count() / 1000},
                        {"resend_after_seconds", cfg_.code_resend_interval.count() / 1000}};
                    if (sent) {
                        if (sms_queued_) sms_queued_();
                        return r.send(json_ok(body, HttpStatus::accepted));
                    }
                    const Error& e = sent.error();
                    log::info("api.code_not_sent", "msisdn", m.text(), "reason", e.code);
                    // The same answer whether or not the number may get a code.
                    if (e.code == storage::rules::kSmsRateLimited ||
                        e.code.rfind("storage.", 0) == 0)
                        return refuse(r, e);
                    r.send(json_ok(body, HttpStatus::accepted));
                }));
        });

    router.add(
        Verb::post, "/api/v1/password/reset", [this](const HttpRequest& req, HttpResponder r) {
            auto body = read_object(req, {{"msisdn", FieldKind::string},
                                          {"code", FieldKind::string},
                                          {"password", FieldKind::string}});
            if (!body) return r.send(error_response(body.error()));
            auto m = read_msisdn((*body)["msisdn"].get<std::string>(), "msisdn");
            if (!m) return r.send(error_response(m.error()));
            std::string code = (*body)["code"].get<std::string>();
            std::string password = (*body)["password"].get<std::string>();
            body->clear();
            if (!digits(code, 6))
                return r.send(error_response(
                    field_error("request.invalid_field", "code", "the code is 6 digits")));
            if (auto bad = check_password(cfg_, password, m->text(), "password"))
                return r.send(error_response(*bad));
            std::string address = client_address(req, cfg_.trusted_proxies);
            std::int64_t t = now();
            if (auto until = login_failures_.blocked_until(address, t))
                return r.send(error_response(rate_limited(*until, t)));
            web_->reset_password(
                *m, Secret(std::move(code)), Secret(std::move(password)), address,
                lifetime_.guard([this, r, m = *m, address](Result<storage::SessionGranted> g) {
                    if (g) {
                        log::info("api.password_reset", "msisdn", m.text(), "outcome", "ok");
                        return r.send(session_opened(*g));
                    }
                    const Error& e = g.error();
                    if (e.code == "otp.wrong" || e.code == "otp.expired")
                        login_failures_.record(address, now());
                    log::info("api.password_reset", "msisdn", m.text(), "outcome", e.code);
                    refuse(r, e);
                }));
        });
}

}  // namespace ussdgw::api
