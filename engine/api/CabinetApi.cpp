#include "engine/api/CabinetApi.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/base/Log.hpp"

namespace ussdgw::api {

namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kKeepEndedSessionsMs = 24 * 3600 * 1000LL;
constexpr int kApplyBatch = 200;

storage::WebPolicy web_policy(const ApiConfig& c, const storage::StorageConfig& s,
                              const std::string& default_language) {
    storage::WebPolicy p;
    p.session_lifetime_ms = c.session_lifetime.count();
    p.max_sessions = c.max_sessions_per_subscriber;
    p.codes.ttl_ms = c.code_ttl.count();
    p.codes.max_tries = c.code_max_tries;
    p.codes.resend_interval_ms = c.code_resend_interval.count();
    p.codes.sms_per_hour = s.password_sms_per_hour;
    p.codes.sms_per_day = s.password_sms_per_day;
    p.step_up_ms = c.step_up_validity.count();
    p.apply_delay_ms = c.service_apply_delay.count();
    p.code_text = [c, default_language](storage::CodePurpose purpose, const std::string& lang) {
        const std::string& l = lang.empty() ? default_language : lang;
        switch (purpose) {
            case storage::CodePurpose::register_password:
                return c.register_sms.in(l);
            case storage::CodePurpose::recover_password:
                return c.recover_sms.in(l);
            case storage::CodePurpose::step_up:
                return c.step_up_sms.in(l);
        }
        return c.step_up_sms.in(l);
    };
    return p;
}

// How often a session's activity is written to the database (the idle check of a restarted
// engine, and the sweeper, read it): never more than a quarter of the idle timeout behind.
std::int64_t touch_interval_ms(const ApiConfig& c) {
    return std::clamp<std::int64_t>(c.session_idle_timeout.count() / 4, 250, 60'000);
}

}  // namespace

CabinetApi::CabinetApi(boost::asio::io_context& io, ApiConfig cfg, std::string default_language,
                       storage::Storage& storage, storage::Post post,
                       std::function<void()> sms_queued)
    : io_(io),
      cfg_(std::move(cfg)),
      default_language_(std::move(default_language)),
      storage_(storage),
      sms_queued_(std::move(sms_queued)),
      web_(std::make_unique<storage::WebCabinet>(
          storage, web_policy(cfg_, storage.config(), default_language_), std::move(post))),
      login_failures_(cfg_.login_failures_per_address, cfg_.address_window.count(),
                      cfg_.addresses_tracked),
      code_requests_(cfg_.code_requests_per_address, cfg_.address_window.count(),
                     cfg_.addresses_tracked),
      unknown_(storage.config().password_max_wrong,
               storage.config().password_lockout.count() * 1000, cfg_.unknown_numbers_tracked),
      scheduler_timer_(io),
      sweeper_timer_(io) {}

CabinetApi::~CabinetApi() = default;

void CabinetApi::start() {
    if (auto st = web_->open(); !st) throw std::runtime_error("cabinet API: " + st.error().message);
    arm_scheduler();
    arm_sweeper();
}

void CabinetApi::stop() {
    stopped_ = true;
    scheduler_timer_.cancel();
    sweeper_timer_.cancel();
}

void CabinetApi::add_routes(http::Router& router) {
    add_public_routes(router);
    add_subscriber_routes(router);
    add_service_routes(router);
    add_org_routes(router);
    add_ops_routes(router);
}

// --- who is calling ------------------------------------------------------------------------

std::optional<CabinetApi::Subscriber> CabinetApi::subscriber(const http::HttpRequest& req,
                                                             const http::HttpResponder& r) {
    Credentials c = read_credentials(req);
    auto refuse_with = [&](HttpStatus st, const char* code, const char* message, bool clear) {
        auto res = error_response(api_error(st, code, message));
        if (clear && c.from_cookie)
            res.set(http::bhttp::field::set_cookie, cleared_cookie(cfg_.cookie_secure));
        r.send(std::move(res));
        return std::nullopt;
    };
    if (c.kind == Credentials::Kind::none)
        return refuse_with(HttpStatus::unauthorized, "auth.required", "log in first", false);
    if (c.kind == Credentials::Kind::staff)
        return refuse_with(HttpStatus::forbidden, "auth.wrong_token_kind",
                           "an operator token cannot act as a subscriber", false);
    auto found = web_->find_session(storage::token_hash(c.token));
    if (!found) {
        refuse(r, found.error());
        return std::nullopt;
    }
    if (!*found)
        return refuse_with(HttpStatus::unauthorized, "auth.required", "unknown session", true);
    storage::SessionContext& ctx = **found;
    std::int64_t t = now();
    auto act = activity_.find(ctx.session.id);
    std::int64_t seen = act == activity_.end() ? 0 : act->second.last_ms;
    Verdict v = judge_session(ctx.session, seen, t, cfg_.session_idle_timeout.count());
    if (v != Verdict::live) {
        if (v != Verdict::ended)
            web_->end_session(ctx.session.id, v == Verdict::idle ? "idle" : "lifetime",
                              [](Result<bool>) {});
        activity_.erase(ctx.session.id);
        return refuse_with(HttpStatus::unauthorized, "session.expired", "the session has ended",
                           true);
    }
    if (needs_csrf(req, c) && !csrf_ok(req, c)) {
        bool missing = req.header("X-CSRF-Token").empty();
        return refuse_with(HttpStatus::forbidden, missing ? "csrf.missing" : "csrf.invalid",
                           missing ? "a change needs the X-CSRF-Token header"
                                   : "the X-CSRF-Token does not belong to this session",
                           false);
    }
    note_activity(ctx.session, t);
    return Subscriber{std::move(ctx), std::move(c)};
}

void CabinetApi::note_activity(const storage::WebSession& s, std::int64_t t) {
    Activity& a = activity_[s.id];
    a.last_ms = std::max(a.last_ms, t);
    a.written_ms = std::max(a.written_ms, s.last_seen_at_ms);
    if (a.writing || t - a.written_ms < touch_interval_ms(cfg_)) return;
    a.writing = true;
    std::int64_t id = s.id;
    web_->touch(id, t, lifetime_.guard([this, id, t] {
        auto it = activity_.find(id);
        if (it == activity_.end()) return;
        it->second.writing = false;
        it->second.written_ms = std::max(it->second.written_ms, t);
    }));
}

std::optional<std::string> CabinetApi::staff(const http::HttpRequest& req,
                                             const http::HttpResponder& r) {
    Credentials c = read_credentials(req);
    if (c.kind == Credentials::Kind::session) {
        r.send(error_response(api_error(HttpStatus::forbidden, "auth.wrong_token_kind",
                                        "a subscriber session cannot act as the operator")));
        return std::nullopt;
    }
    std::optional<std::string> name;
    if (c.kind == Credentials::Kind::staff) name = staff_name(cfg_.staff, c.token);
    if (!name)
        r.send(error_response(
            api_error(HttpStatus::unauthorized, "auth.required", "an operator token is needed")));
    return name;
}

std::optional<CabinetApi::Subscriber> CabinetApi::manager(const http::HttpRequest& req,
                                                          const http::HttpResponder& r) {
    auto s = subscriber(req, r);
    if (!s) return s;
    const auto& sub = s->ctx.record.subscriber;
    bool manages =
        (sub.role == storage::Role::administrator || sub.role == storage::Role::supervisor) &&
        sub.client_kind == storage::ClientKind::legal_entity;
    if (!manages) {
        r.send(error_response(api_error(HttpStatus::forbidden, "role.forbidden",
                                        "only administrators and supervisors of a legal entity "
                                        "manage its subscribers")));
        return std::nullopt;
    }
    return s;
}

// --- answers -------------------------------------------------------------------------------

void CabinetApi::refuse(const http::HttpResponder& r, const Error& e) const {
    if (e.code.rfind("storage.", 0) == 0 && e.code != "storage.busy")
        log::error("api.storage_failure", "code", e.code, "error", e.message);
    r.send(error_response(api_error_from(e, now())));
}

http::Response CabinetApi::session_closed() const {
    auto res = http::Response{HttpStatus::no_content, 11};
    res.set(http::bhttp::field::set_cookie, cleared_cookie(cfg_.cookie_secure));
    return res;
}

http::Response CabinetApi::session_opened(const storage::SessionGranted& g) const {
    Json body = {{"token", g.token},
                 {"csrf_token", storage::csrf_token_for(g.token)},
                 {"msisdn", g.record.subscriber.msisdn.text()},
                 {"role", storage::to_text(g.record.subscriber.role)},
                 {"method", g.session.method},
                 {"idle_timeout_seconds", cfg_.session_idle_timeout.count() / 1000},
                 {"expires_at", utc_rfc3339(g.session.expires_at_ms)}};
    auto res = json_ok(body);
    res.set(http::bhttp::field::set_cookie,
            session_cookie(g.token, (g.session.expires_at_ms - g.session.created_at_ms) / 1000,
                           cfg_.cookie_secure));
    return res;
}

Json CabinetApi::session_info(const storage::SessionContext& ctx, const Credentials& c) const {
    std::int64_t until = ctx.session.elevated_until_ms;
    return Json{{"msisdn", ctx.record.subscriber.msisdn.text()},
                {"role", storage::to_text(ctx.record.subscriber.role)},
                {"method", ctx.session.method},
                {"csrf_token", storage::csrf_token_for(c.token)},
                {"idle_timeout_seconds", cfg_.session_idle_timeout.count() / 1000},
                {"expires_at", utc_rfc3339(ctx.session.expires_at_ms)},
                {"elevated_until", until > now() ? Json(utc_rfc3339(until)) : Json(nullptr)}};
}

const ServiceOffer* CabinetApi::offer(std::string_view code) const {
    for (const auto& s : cfg_.services)
        if (s.code == code) return &s;
    return nullptr;
}

// --- timers --------------------------------------------------------------------------------

void CabinetApi::arm_scheduler() {
    if (stopped_ || applying_) return;
    auto due = web_->next_due();
    if (!due) {
        log::error("api.scheduler_failed", "error", due.error().message);
        return;
    }
    // Re-read at least every minute (requests confirmed by another engine process, say).
    std::int64_t wait = 60'000;
    if (*due) wait = std::clamp<std::int64_t>(**due - now(), 0, 60'000);
    scheduler_timer_.expires_after(milliseconds(wait));
    scheduler_timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        run_scheduler();
    }));
}

void CabinetApi::arm_scheduler_soon() {
    if (applying_ || stopped_) return;
    scheduler_timer_.cancel();
    arm_scheduler();
}

void CabinetApi::run_scheduler() {
    applying_ = true;
    web_->apply_due(kApplyBatch, lifetime_.guard([this](Result<int> n) {
        applying_ = false;
        if (!n)
            log::error("api.scheduler_failed", "error", n.error().message);
        else if (*n > 0)
            log::info("api.service_requests_applied", "count", *n);
        if (n && *n == kApplyBatch) return run_scheduler();  // more are due
        arm_scheduler();
    }));
}

void CabinetApi::arm_sweeper() {
    if (stopped_) return;
    std::int64_t every =
        std::clamp<std::int64_t>(cfg_.session_idle_timeout.count() / 4, 250, 30'000);
    sweeper_timer_.expires_after(milliseconds(every));
    sweeper_timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        sweep();
        arm_sweeper();
    }));
}

void CabinetApi::sweep() {
    std::int64_t t = now();
    std::int64_t idle = cfg_.session_idle_timeout.count();
    auto stale = web_->stale_sessions(t - idle, 500);
    if (!stale) {
        log::error("api.sweep_failed", "error", stale.error().message);
        return;
    }
    for (const auto& s : *stale) {
        auto it = activity_.find(s.id);
        std::int64_t seen = it == activity_.end() ? 0 : it->second.last_ms;
        if (judge_session(s, seen, t, idle) == Verdict::live) continue;
        activity_.erase(s.id);
        // Ended only if nothing was written meanwhile (a request racing the sweep).
        web_->end_if_stale(s.id, t - idle, [](Result<bool>) {});
    }
    // Activity of sessions nobody used for a whole timeout is forgotten.
    for (auto it = activity_.begin(); it != activity_.end();)
        it = t - it->second.last_ms > idle && !it->second.writing ? activity_.erase(it) : ++it;
    if (++sweeps_ % 100 == 0) web_->purge_sessions(kKeepEndedSessionsMs, [](Result<int>) {});
}

}  // namespace ussdgw::api
