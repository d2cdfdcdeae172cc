// WebCabinet: sessions, the web login, codes and passwords. Service requests, call details
// and the organisation's and staff's views are in WebCabinetViews.cpp.
#include "storage/WebCabinet.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "storage/Storage.hpp"

namespace ussdgw::storage {

namespace {

// A counted wrong entry: "password.wrong" with the tries left, or "password.locked" when this
// entry started the lockout (attempts_left 0: the caller counts it as a checked failure; a
// lockout told before any check has none).
Failure wrong_password(const rules::AttemptCounter& next, int max_wrong, std::int64_t now) {
    Failure f =
        rules::wrong_entry(next, now, max_wrong, rules::kPasswordWrong, rules::kPasswordLocked);
    if (!f.error.attempts_left) f.error.attempts_left = 0;
    return f;
}

}  // namespace

Result<SubscriberRecord> WebCabinet::must_find(Database& db, const StorageConfig& cfg, Msisdn m) {
    auto r = SubscriberStore(db, cfg.puk_login_tariff_plans).find(m);
    if (!r) return Failure{r.error()};
    if (!*r) return fail(rules::kNotFound, "no such subscriber");
    return std::move(**r);
}

Status WebCabinet::session_live(Database& db, std::int64_t id, std::int64_t now) {
    auto s = SessionStore(db).find_id(id);
    if (!s) return Failure{s.error()};
    if (!*s || (*s)->ended_at_ms || (*s)->expires_at_ms <= now)
        return fail(rules::kAnnulled, "the session ended before the change was written");
    return ok_status();
}

namespace {

std::string render_code(const std::string& tmpl, std::string_view code) {
    std::string out = tmpl;
    auto pos = out.find("{code}");
    if (pos == std::string::npos)
        out += " " + std::string(code);
    else
        out.replace(pos, 6, code);
    return out;
}

}  // namespace

WebCabinet::WebCabinet(Storage& storage, WebPolicy policy, Post post)
    : storage_(storage), policy_(std::move(policy)), post_(std::move(post)) {}

WebCabinet::~WebCabinet() = default;

Status WebCabinet::open() {
    auto db = open_read_connection(storage_.config().database_path, storage_.config().synchronous);
    if (!db) return Failure{db.error()};
    reader_ = std::move(*db);
    reads_ = std::make_unique<SharedReads>(*reader_, storage_.committer(), post_);
    // Computed once on this thread at start-up: one Argon2id hash at the configured cost.
    auto h = hash_password(
        Secret(new_token("dummy_")),
        Argon2Params{storage_.config().argon2_opslimit, storage_.config().argon2_memlimit});
    if (!h) return Failure{h.error()};
    dummy_hash_ = std::move(*h);
    return ok_status();
}

std::int64_t WebCabinet::now() const {
    return storage_.now();
}

// --- sessions -------------------------------------------------------------------------

Result<std::optional<SessionContext>> WebCabinet::find_session(std::string_view token_hash) {
    // Both reads in one snapshot (SharedReads: also shared with the other requests of this
    // loop turn).
    Database& db = reader();
    auto s = SessionStore(db).find(token_hash);
    if (!s) return Failure{s.error()};
    if (!*s) return std::optional<SessionContext>();
    auto rec = SubscriberStore(db, storage_.config().puk_login_tariff_plans).find((*s)->msisdn);
    if (!rec) return Failure{rec.error()};
    if (!*rec) return std::optional<SessionContext>();
    return std::optional<SessionContext>(SessionContext{std::move(**s), std::move(**rec)});
}

void WebCabinet::touch(std::int64_t session_id, std::int64_t seen_at_ms,
                       std::function<void()> written) {
    change<Ok>(
        [session_id, seen_at_ms](Database& db) -> Status {
            return SessionStore(db).touch(session_id, seen_at_ms);
        },
        [written = std::move(written)](Status) {
            if (written) written();
        });
}

void WebCabinet::end_session(std::int64_t session_id, std::string reason, Done<bool> done) {
    change<bool>([this, session_id, reason = std::move(reason)](
                     Database& db) { return SessionStore(db).end(session_id, reason, now()); },
                 std::move(done));
}

Result<std::vector<WebSession>> WebCabinet::stale_sessions(std::int64_t seen_before_ms, int limit) {
    return SessionStore(reader()).stale(seen_before_ms, now(), limit);
}

void WebCabinet::end_if_stale(std::int64_t session_id, std::int64_t seen_before_ms,
                              Done<bool> done) {
    change<bool>(
        [this, session_id, seen_before_ms](Database& db) -> Result<bool> {
            SessionStore store(db);
            auto s = store.find_id(session_id);
            if (!s) return Failure{s.error()};
            std::int64_t t = now();
            if (!*s || (*s)->ended_at_ms) return false;
            if ((*s)->expires_at_ms <= t) return store.end(session_id, "lifetime", t);
            if ((*s)->last_seen_at_ms >= seen_before_ms) return false;
            return store.end(session_id, "idle", t);
        },
        std::move(done));
}

void WebCabinet::purge_sessions(std::int64_t keep_ms, Done<int> done) {
    change<int>([this, keep_ms](Database& db) { return SessionStore(db).purge(now() - keep_ms); },
                std::move(done));
}

Result<SessionGranted> WebCabinet::open_session(Database& db, Msisdn msisdn,
                                                const std::string& method,
                                                const std::string& source, std::int64_t t) {
    SessionGranted g;
    g.token = new_token("uss_");
    NewSession ns;
    ns.token_hash = token_hash(g.token);
    ns.msisdn = msisdn;
    ns.method = method;
    ns.source = source;
    ns.now_ms = t;
    ns.lifetime_ms = policy_.session_lifetime_ms;
    ns.max_live = policy_.max_sessions;
    SessionStore store(db);
    auto id = store.open(ns);
    if (!id) return Failure{id.error()};
    auto s = store.find_id(*id);
    if (!s) return Failure{s.error()};
    if (!*s) return fail("storage.sqlite", "the new session is missing");
    g.session = std::move(**s);
    auto rec = must_find(db, storage_.config(), msisdn);
    if (!rec) return Failure{rec.error()};
    g.record = std::move(*rec);
    return g;
}

// --- login ----------------------------------------------------------------------------

void WebCabinet::login(LoginAttempt a, Done<SessionGranted> done) {
    const StorageConfig& cfg = storage_.config();
    auto rec = SubscriberStore(reader(), cfg.puk_login_tariff_plans).find(a.msisdn);
    if (!rec) return dispatch(post_, [done, e = rec.error()] { done(Failure{e}); });
    auto unknown = [done] { done(fail("login.unknown", "not a subscriber")); };
    if (!*rec) {
        // As long as a real check: a keyed hash for PUK1, Argon2id for a password.
        if (a.by_puk) {
            (void)storage_.key().verify_puk(dummy_hash_, a.msisdn.text(), a.secret.reveal());
            return dispatch(post_, unknown);
        }
        return storage_.hasher().verify(dummy_hash_, std::move(a.secret), post_,
                                        [unknown](Result<bool>) { unknown(); });
    }
    // A lockout is told before any check.
    if (auto st = rules::check_lockout(rules::password_counter((*rec)->cabinet), now(),
                                       rules::kPasswordLocked);
        !st)
        return dispatch(post_, [done, e = st.error()] { done(Failure{e}); });
    auto secrets = SubscriberStore(reader(), cfg.puk_login_tariff_plans).secrets(a.msisdn);
    if (!secrets) return dispatch(post_, [done, e = secrets.error()] { done(Failure{e}); });
    if (a.by_puk) {
        // Checked even where PUK1 login is not allowed: that is told only to the right PUK1.
        bool matched =
            !secrets->puk_hash.empty() &&
            storage_.key().verify_puk(secrets->puk_hash, a.msisdn.text(), a.secret.reveal());
        a.secret.wipe();
        return finish_login(std::move(a), matched, std::move(done));
    }
    bool has_password = !secrets->password_hash.empty();
    std::string hash = has_password ? secrets->password_hash : dummy_hash_;
    auto shared = std::make_shared<LoginAttempt>(LoginAttempt{a.msisdn, false, Secret(), a.source});
    Secret secret = std::move(a.secret);
    storage_.hasher().verify(std::move(hash), std::move(secret), nullptr,
                             [this, shared, has_password, done](Result<bool> match) {
                                 if (!match)
                                     return dispatch(
                                         post_, [done, e = match.error()] { done(Failure{e}); });
                                 finish_login(std::move(*shared), has_password && *match, done);
                             });
}

void WebCabinet::finish_login(LoginAttempt a, bool matched, Done<SessionGranted> done) {
    change<SessionGranted>(
        [this, m = a.msisdn, by_puk = a.by_puk, source = a.source,
         matched](Database& db) -> Result<SessionGranted> {
            const StorageConfig& cfg = storage_.config();
            auto rec = must_find(db, cfg, m);
            if (!rec) return Failure{rec.error()};
            std::int64_t t = now();
            auto counter = rules::password_counter(rec->cabinet);
            // Wrong entries made meanwhile may have locked it.
            if (auto st = rules::check_lockout(counter, t, rules::kPasswordLocked); !st)
                return Failure{st.error()};
            SubscriberStore store(db, cfg.puk_login_tariff_plans);
            AuditLog audit(db);
            const char* how = by_puk ? "puk" : "password";
            if (!matched) {
                auto next = rules::after_failure(counter, t, cfg.password_max_wrong,
                                                 cfg.password_lockout.count() * 1000);
                if (auto st = store.set_password_counter(m, next, t); !st)
                    return Failure{st.error()};
                if (auto st =
                        audit.append({t, m, "login.wrong", Actor::subscriber(m), Channel::web,
                                      fmt::format("with={} failures={}", how, next.failures)});
                    !st)
                    return Failure{st.error()};
                return wrong_password(next, cfg.password_max_wrong, t);
            }
            if (by_puk && !rec->cabinet.puk_login_allowed)
                return fail(rules::kPukLoginNotAllowed,
                            "PUK1 login is not allowed for this number");
            if (!rec->cabinet.access_open && rec->cabinet.closed_by)
                return fail(rules::closed_code(*rec->cabinet.closed_by),
                            "cabinet access is closed");
            if (counter.failures != 0 || counter.locked_until_ms != 0)
                if (auto st = store.set_password_counter(m, rules::after_success(), t); !st)
                    return Failure{st.error()};
            if (auto st = audit.append({t, m, "login.ok", Actor::subscriber(m), Channel::web,
                                        fmt::format("with={}", how)});
                !st)
                return Failure{st.error()};
            return open_session(db, m, how, source, t);
        },
        std::move(done));
}

// --- codes and passwords ----------------------------------------------------------------

void WebCabinet::send_code(Msisdn msisdn, CodePurpose purpose, std::optional<std::int64_t> session,
                           Done<CodeStored> done) {
    auto work = [this, msisdn, purpose, session](Database& db) -> Result<CodeStored> {
        const StorageConfig& cfg = storage_.config();
        auto rec = must_find(db, cfg, msisdn);
        if (!rec) return Failure{rec.error()};
        if (sets_password(purpose))
            if (auto st = rules::may_issue_password(rec->subscriber.service, rec->cabinet); !st)
                return Failure{st.error()};
        std::int64_t t = now();
        OneTimeCodes codes(db, storage_.key(), policy_.codes);
        if (auto st = codes.may_send(msisdn, purpose, t); !st) return Failure{st.error()};
        Secret code = generate_code();
        std::string text =
            render_code(policy_.code_text(purpose, rec->subscriber.language), code.reveal());
        SmsOutbox outbox(db, storage_.key(), OutboxPolicy{});
        auto id = outbox.enqueue(msisdn, "code", text, t);
        sodium_memzero(text.data(), text.size());
        if (!id) return Failure{id.error()};
        auto stored = codes.store(msisdn, purpose, session, code, *id, t);
        code.wipe();
        if (!stored) return stored;
        if (auto st = AuditLog(db).append({t, msisdn, "code.sent", Actor::subscriber(msisdn),
                                           Channel::web,
                                           fmt::format("for={} sms={}", to_text(purpose), *id)});
            !st)
            return Failure{st.error()};
        return stored;
    };
    if (session)
        session_change<CodeStored>(*session, std::move(work), std::move(done));
    else
        change<CodeStored>(std::move(work), std::move(done));
}

void WebCabinet::reset_password(Msisdn msisdn, Secret code, Secret password, std::string source,
                                Done<SessionGranted> done) {
    auto shared_code = std::make_shared<Secret>(std::move(code));
    storage_.hasher().hash(
        std::move(password), nullptr,
        [this, msisdn, shared_code, source = std::move(source),
         done](Result<std::string> hash) mutable {
            if (!hash) {
                shared_code->wipe();
                return dispatch(post_, [done, e = hash.error()] { done(Failure{e}); });
            }
            change<SessionGranted>(
                [this, msisdn, shared_code, source,
                 hash = std::move(*hash)](Database& db) -> Result<SessionGranted> {
                    std::int64_t t = now();
                    OneTimeCodes codes(db, storage_.key(), policy_.codes);
                    auto purpose = codes.check(msisdn, true, std::nullopt, *shared_code, t);
                    shared_code->wipe();
                    if (!purpose) return Failure{purpose.error()};
                    const StorageConfig& cfg = storage_.config();
                    auto rec = must_find(db, cfg, msisdn);
                    if (!rec) return Failure{rec.error()};
                    if (auto st = rules::may_issue_password(rec->subscriber.service, rec->cabinet);
                        !st)
                        return Failure{st.error()};
                    SubscriberStore store(db, cfg.puk_login_tariff_plans);
                    if (auto st = store.set_password_hash(msisdn, hash, t); !st)
                        return Failure{st.error()};
                    const char* action = *purpose == CodePurpose::register_password
                                             ? "password.registered"
                                             : "password.reset";
                    if (auto st = AuditLog(db).append({t, msisdn, action, Actor::subscriber(msisdn),
                                                       Channel::web, "by=sms_code"});
                        !st)
                        return Failure{st.error()};
                    return open_session(db, msisdn, "code", source, t);
                },
                std::move(done));
        });
}

void WebCabinet::change_password(const SessionContext& ctx, std::optional<Secret> current,
                                 Secret next, Done<Ok> done) {
    Msisdn m = ctx.record.subscriber.msisdn;
    std::int64_t session_id = ctx.session.id;
    auto commit = [this, m, session_id, done](Secret next_pw) {
        storage_.hasher().hash(
            std::move(next_pw), nullptr, [this, m, session_id, done](Result<std::string> hash) {
                if (!hash) return dispatch(post_, [done, e = hash.error()] { done(Failure{e}); });
                session_change<Ok>(
                    session_id,
                    [this, m, hash = std::move(*hash)](Database& db) -> Status {
                        std::int64_t t = now();
                        SubscriberStore store(db, storage_.config().puk_login_tariff_plans);
                        if (auto st = store.set_password_hash(m, hash, t); !st) return st;
                        return AuditLog(db).append(
                            {t, m, "password.changed", Actor::subscriber(m), Channel::web, ""});
                    },
                    done);
            });
    };
    if (!current) return commit(std::move(next));
    if (auto st = rules::check_lockout(rules::password_counter(ctx.record.cabinet), now(),
                                       rules::kPasswordLocked);
        !st)
        return dispatch(post_, [done, e = st.error()] { done(Failure{e}); });
    auto secrets = SubscriberStore(reader(), storage_.config().puk_login_tariff_plans).secrets(m);
    if (!secrets) return dispatch(post_, [done, e = secrets.error()] { done(Failure{e}); });
    bool has_password = !secrets->password_hash.empty();
    auto next_pw = std::make_shared<Secret>(std::move(next));
    storage_.hasher().verify(
        has_password ? secrets->password_hash : dummy_hash_, std::move(*current), nullptr,
        [this, m, session_id, has_password, next_pw, commit, done](Result<bool> match) {
            if (!match) return dispatch(post_, [done, e = match.error()] { done(Failure{e}); });
            if (has_password && *match) return commit(std::move(*next_pw));
            next_pw->wipe();
            // The wrong current password is counted like a wrong login.
            session_change<Ok>(
                session_id,
                [this, m](Database& db) -> Status {
                    const StorageConfig& cfg = storage_.config();
                    auto rec = must_find(db, cfg, m);
                    if (!rec) return Failure{rec.error()};
                    std::int64_t t = now();
                    auto next = rules::after_failure(rules::password_counter(rec->cabinet), t,
                                                     cfg.password_max_wrong,
                                                     cfg.password_lockout.count() * 1000);
                    SubscriberStore store(db, cfg.puk_login_tariff_plans);
                    if (auto st = store.set_password_counter(m, next, t); !st) return st;
                    if (auto st = AuditLog(db).append({t, m, "password.wrong", Actor::subscriber(m),
                                                       Channel::web,
                                                       fmt::format("failures={}", next.failures)});
                        !st)
                        return st;
                    return wrong_password(next, cfg.password_max_wrong, t);
                },
                done);
        });
}

void WebCabinet::step_up(const SessionContext& ctx, Secret code, Done<std::int64_t> done) {
    auto shared = std::make_shared<Secret>(std::move(code));
    session_change<std::int64_t>(
        ctx.session.id,
        [this, m = ctx.record.subscriber.msisdn, id = ctx.session.id,
         shared](Database& db) -> Result<std::int64_t> {
            std::int64_t t = now();
            OneTimeCodes codes(db, storage_.key(), policy_.codes);
            auto checked = codes.check(m, false, id, *shared, t);
            shared->wipe();
            if (!checked) return Failure{checked.error()};
            std::int64_t until = t + policy_.step_up_ms;
            if (auto st = SessionStore(db).elevate(id, until); !st) return Failure{st.error()};
            if (auto st = AuditLog(db).append(
                    {t, m, "session.elevated", Actor::subscriber(m), Channel::web, "by=sms_code"});
                !st)
                return Failure{st.error()};
            return until;
        },
        std::move(done));
}

}  // namespace ussdgw::storage
