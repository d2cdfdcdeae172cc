#include "storage/CabinetService.hpp"

#include <fmt/format.h>

#include "storage/AuditLog.hpp"
#include "storage/SmsOutbox.hpp"
#include "storage/SubscriberStore.hpp"

namespace ussdgw::storage {

namespace {

bool is_storage_failure(const Error& e) {
    return e.code.rfind("storage.", 0) == 0;
}

OutboxPolicy outbox_policy(const StorageConfig& c) {
    return {c.outbox_max_attempts, c.outbox_backoff_initial, c.outbox_backoff_max,
            c.outbox_claim_lease};
}

Result<SubscriberRecord> must_find(SubscriberStore& store, Msisdn m) {
    auto r = store.find(m);
    if (!r) return Failure{r.error()};
    if (!*r) return fail(rules::kNotFound, "no such subscriber");
    return std::move(**r);
}

rules::AttemptCounter puk_counter(const CabinetState& c) {
    return {c.puk_failures, c.puk_locked_until_ms};
}
rules::AttemptCounter password_counter(const CabinetState& c) {
    return {c.password_failures, c.password_locked_until_ms};
}

rules::Party party(const Subscriber& s) {
    return {s.client_id, s.client_kind, s.role};
}

Actor self(Msisdn m) {
    return {ActorKind::subscriber, m.text()};
}

std::string render_sms(const std::string& tmpl, std::string_view password) {
    std::string out = tmpl;
    auto pos = out.find("{password}");
    if (pos == std::string::npos)
        out += std::string(" ") + std::string(password);
    else
        out.replace(pos, 10, password);
    return out;
}

}  // namespace

// Domain refusals keep what the job wrote before refusing (wrong-attempt counters, audit);
// only storage failures roll the job's savepoint back.
template <typename T>
void CabinetService::run(std::function<Result<T>(Database&)> work, Done<T> done,
                         CancellationPtr cancellation) {
    using Outer = Result<Result<T>>;
    committer_.submit<Result<T>>(
        [work = std::move(work)](Database& db) -> Outer {
            Result<T> r = work(db);
            if (!r && is_storage_failure(r.error())) return Failure{r.error()};
            return Outer(std::move(r));
        },
        post_,
        [done = std::move(done)](Outer r) {
            if (!r)
                done(Result<T>(Failure{r.error()}));
            else
                done(std::move(*r));
        },
        std::move(cancellation));
}

void CabinetService::state(Msisdn msisdn, Done<SubscriberRecord> done) {
    run<SubscriberRecord>(
        [this, msisdn](Database& db) -> Result<SubscriberRecord> {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            return must_find(store, msisdn);
        },
        std::move(done));
}

void CabinetService::own_access(Msisdn msisdn, Done<CabinetState> done) {
    run<CabinetState>(
        [this, msisdn](Database& db) -> Result<CabinetState> {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_request(rec->subscriber.service); !st)
                return Failure{st.error()};
            return rec->cabinet;
        },
        std::move(done));
}

void CabinetService::managed_access(Msisdn manager, Msisdn target, Done<CabinetState> done) {
    run<CabinetState>(
        [this, manager, target](Database& db) -> Result<CabinetState> {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto mgr = must_find(store, manager);
            if (!mgr) return Failure{mgr.error()};
            if (auto st = rules::may_request(mgr->subscriber.service); !st)
                return Failure{st.error()};
            auto rec = must_find(store, target);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_manage(party(mgr->subscriber), party(rec->subscriber)); !st)
                return Failure{st.error()};
            return rec->cabinet;
        },
        std::move(done));
}

void CabinetService::issue_password(Msisdn msisdn, Channel channel, Done<PasswordIssued> done,
                                    CancellationPtr cancellation) {
    // Checks before the Argon2id work (so that refused requests cost no hashing), and
    // again in the writing transaction (the state may have changed in between).
    auto checks = [this, msisdn](Database& db) -> Status {
        SubscriberStore store(db, cfg_.puk_login_tariff_plans);
        auto rec = must_find(store, msisdn);
        if (!rec) return Failure{rec.error()};
        if (auto st = rules::may_issue_password(rec->subscriber.service, rec->cabinet); !st)
            return st;
        SmsOutbox outbox(db, key_, outbox_policy(cfg_));
        std::int64_t t = now();
        auto hour = outbox.count_since(msisdn, "password", t - 3600 * 1000);
        if (!hour) return Failure{hour.error()};
        auto day = outbox.count_since(msisdn, "password", t - 24 * 3600 * 1000);
        if (!day) return Failure{day.error()};
        return rules::check_sms_rate(*hour, *day, cfg_.password_sms_per_hour,
                                     cfg_.password_sms_per_day);
    };
    auto shared_done = std::make_shared<Done<PasswordIssued>>(std::move(done));
    run<Ok>(
        [checks, cancellation](Database& db) -> Status {
            // Already given up: no hashing for nothing.
            if (cancellation && cancellation->cancelled())
                return fail(rules::kAnnulled, "annulled before it was written");
            return checks(db);
        },
        [this, msisdn, channel, checks, shared_done, cancellation](Status pre) {
            if (!pre) return (*shared_done)(Failure{pre.error()});
            auto password = std::make_shared<Secret>(
                generate_password(cfg_.password_length, cfg_.password_alphabet));
            hasher_.hash(
                *password, nullptr,
                [this, msisdn, channel, checks, shared_done, password,
                 cancellation](Result<std::string> hash) {
                    if (!hash) {
                        password->wipe();
                        return (*shared_done)(Failure{hash.error()});
                    }
                    run<PasswordIssued>(
                        [this, msisdn, channel, checks, password,
                         hash = std::move(*hash)](Database& db) -> Result<PasswordIssued> {
                            if (auto st = checks(db); !st) return Failure{st.error()};
                            std::int64_t t = now();
                            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
                            if (auto st = store.set_password_hash(msisdn, hash, t); !st)
                                return Failure{st.error()};
                            SmsOutbox outbox(db, key_, outbox_policy(cfg_));
                            std::string text =
                                render_sms(cfg_.password_sms_text, password->reveal());
                            auto id = outbox.enqueue(msisdn, "password", text, cfg_.outbox_link, t);
                            sodium_memzero(text.data(), text.size());
                            password->wipe();
                            if (!id) return Failure{id.error()};
                            AuditLog audit(db);
                            if (auto st = audit.append({t, msisdn, "password.issued", self(msisdn),
                                                        channel, fmt::format("sms={}", *id)});
                                !st)
                                return Failure{st.error()};
                            return PasswordIssued{*id};
                        },
                        *shared_done, cancellation);
                });
        });
}

namespace {
// One PUK1 attempt inside a transaction: lockout check, comparison, counter and audit.
Status check_puk(Database& db, const StorageConfig& cfg, const StorageKey& key,
                 const SubscriberRecord& rec, const Secret& puk, Channel channel,
                 std::int64_t now) {
    Msisdn m = rec.subscriber.msisdn;
    auto counter = puk_counter(rec.cabinet);
    if (auto st = rules::check_lockout(counter, now, rules::kPukLocked); !st) return st;
    SubscriberStore store(db, cfg.puk_login_tariff_plans);
    auto secrets = store.secrets(m);
    if (!secrets) return Failure{secrets.error()};
    if (secrets->puk_hash.empty()) return fail(rules::kPukNotSet, "no PUK1 on file");
    AuditLog audit(db);
    if (key.verify_puk(secrets->puk_hash, m.text(), puk.reveal())) {
        if (counter.failures != 0 || counter.locked_until_ms != 0)
            if (auto st = store.set_puk_counter(m, rules::after_success(), now); !st) return st;
        return ok_status();
    }
    auto next =
        rules::after_failure(counter, now, cfg.puk_max_wrong, cfg.puk_lockout.count() * 1000);
    if (auto st = store.set_puk_counter(m, next, now); !st) return st;
    if (auto st = audit.append(
            {now, m, "puk.wrong", self(m), channel, fmt::format("failures={}", next.failures)});
        !st)
        return st;
    return rules::wrong_entry(next, now, cfg.puk_max_wrong, rules::kPukWrong, rules::kPukLocked);
}
}  // namespace

void CabinetService::verify_puk(Msisdn msisdn, Secret puk, Channel channel, Done<Ok> done) {
    run<Ok>(
        [this, msisdn, puk = std::move(puk), channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            return check_puk(db, cfg_, key_, *rec, puk, channel, now());
        },
        std::move(done));
}

void CabinetService::close_own_access(Msisdn msisdn, Channel channel, Done<Ok> done,
                                      CancellationPtr cancellation) {
    run<Ok>(
        [this, msisdn, channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_request(rec->subscriber.service); !st) return st;
            if (auto st = rules::may_close(ActorKind::subscriber, ClosedBy::subscriber,
                                           rec->subscriber.client_kind, rec->cabinet);
                !st)
                return st;
            std::int64_t t = now();
            if (auto st = store.set_access(msisdn, ClosedBy::subscriber, t); !st) return st;
            return AuditLog(db).append(
                {t, msisdn, "access.closed", self(msisdn), channel, "by=subscriber"});
        },
        std::move(done), std::move(cancellation));
}

void CabinetService::open_own_access(Msisdn msisdn, Secret puk, Channel channel, Done<Ok> done,
                                     CancellationPtr cancellation) {
    run<Ok>(
        [this, msisdn, puk = std::move(puk), channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_request(rec->subscriber.service); !st) return st;
            if (auto st = rules::may_open(ActorKind::subscriber, rec->cabinet); !st) return st;
            std::int64_t t = now();
            if (auto st = check_puk(db, cfg_, key_, *rec, puk, channel, t); !st) return st;
            if (auto st = store.set_access(msisdn, std::nullopt, t); !st) return st;
            return AuditLog(db).append(
                {t, msisdn, "access.opened", self(msisdn), channel, "puk=verified"});
        },
        std::move(done), std::move(cancellation));
}

void CabinetService::manager_set_access(Msisdn manager, Msisdn target, bool open, Channel channel,
                                        Done<Ok> done, CancellationPtr cancellation) {
    run<Ok>(
        [this, manager, target, open, channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto mgr = must_find(store, manager);
            if (!mgr) return Failure{mgr.error()};
            if (auto st = rules::may_request(mgr->subscriber.service); !st) return st;
            auto rec = must_find(store, target);
            if (!rec) return Failure{rec.error()};
            rules::Party m = party(mgr->subscriber);
            rules::Party s = party(rec->subscriber);
            if (auto st = rules::may_manage(m, s); !st) return st;
            std::int64_t t = now();
            Actor actor{ActorKind::manager, manager.text()};
            if (open) {
                if (auto st = rules::may_open(ActorKind::manager, rec->cabinet); !st) return st;
                if (auto st = store.set_access(target, std::nullopt, t); !st) return st;
                return AuditLog(db).append({t, target, "access.opened", actor, channel,
                                            fmt::format("role={}", to_text(m.role))});
            }
            if (auto st = rules::may_close(ActorKind::manager, ClosedBy::organisation,
                                           s.client_kind, rec->cabinet);
                !st)
                return st;
            if (auto st = store.set_access(target, ClosedBy::organisation, t); !st) return st;
            return AuditLog(db).append({t, target, "access.closed", actor, channel,
                                        fmt::format("by=organisation role={}", to_text(m.role))});
        },
        std::move(done), std::move(cancellation));
}

void CabinetService::operator_close(Msisdn msisdn, ClosedBy reason, std::string staff,
                                    Channel channel, Done<Ok> done) {
    run<Ok>(
        [this, msisdn, reason, staff = std::move(staff), channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_close(ActorKind::operator_staff, reason,
                                           rec->subscriber.client_kind, rec->cabinet);
                !st)
                return st;
            std::int64_t t = now();
            if (auto st = store.set_access(msisdn, reason, t); !st) return st;
            return AuditLog(db).append({t,
                                        msisdn,
                                        "access.closed",
                                        {ActorKind::operator_staff, staff},
                                        channel,
                                        fmt::format("by={}", to_text(reason))});
        },
        std::move(done));
}

void CabinetService::operator_open(Msisdn msisdn, std::string staff, Channel channel,
                                   Done<Ok> done) {
    run<Ok>(
        [this, msisdn, staff = std::move(staff), channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_open(ActorKind::operator_staff, rec->cabinet); !st) return st;
            std::int64_t t = now();
            if (auto st = store.set_access(msisdn, std::nullopt, t); !st) return st;
            return AuditLog(db).append({t,
                                        msisdn,
                                        "access.opened",
                                        {ActorKind::operator_staff, staff},
                                        channel,
                                        fmt::format("was={}", to_text(*rec->cabinet.closed_by))});
        },
        std::move(done));
}

void CabinetService::check_login(Msisdn msisdn, Secret credential, Channel channel,
                                 Done<LoginOk> done) {
    struct Pre {
        bool puk_matched = false;
        std::string password_hash;
    };
    auto record = [this, msisdn, channel](Database& db, bool success,
                                          LoginMethod method) -> Result<LoginOk> {
        SubscriberStore store(db, cfg_.puk_login_tariff_plans);
        auto rec = must_find(store, msisdn);
        if (!rec) return Failure{rec.error()};
        std::int64_t t = now();
        auto counter = password_counter(rec->cabinet);
        AuditLog audit(db);
        const char* how = method == LoginMethod::puk ? "puk" : "password";
        if (success) {
            if (counter.failures != 0 || counter.locked_until_ms != 0)
                if (auto st = store.set_password_counter(msisdn, rules::after_success(), t); !st)
                    return Failure{st.error()};
            if (auto st = audit.append(
                    {t, msisdn, "login.ok", self(msisdn), channel, fmt::format("with={}", how)});
                !st)
                return Failure{st.error()};
            return LoginOk{method};
        }
        auto next = rules::after_failure(counter, t, cfg_.password_max_wrong,
                                         cfg_.password_lockout.count() * 1000);
        if (auto st = store.set_password_counter(msisdn, next, t); !st) return Failure{st.error()};
        if (auto st = audit.append({t, msisdn, "login.wrong", self(msisdn), channel,
                                    fmt::format("failures={}", next.failures)});
            !st)
            return Failure{st.error()};
        return rules::wrong_entry(next, t, cfg_.password_max_wrong, rules::kPasswordWrong,
                                  rules::kPasswordLocked);
    };
    auto shared_done = std::make_shared<Done<LoginOk>>(std::move(done));
    auto cred = std::make_shared<Secret>(std::move(credential));
    run<Pre>(
        [this, msisdn, cred](Database& db) -> Result<Pre> {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = must_find(store, msisdn);
            if (!rec) return Failure{rec.error()};
            if (!rec->cabinet.access_open && rec->cabinet.closed_by)
                return fail(rules::closed_code(*rec->cabinet.closed_by),
                            "cabinet access is closed");
            if (auto st = rules::check_lockout(password_counter(rec->cabinet), now(),
                                               rules::kPasswordLocked);
                !st)
                return Failure{st.error()};
            auto secrets = store.secrets(msisdn);
            if (!secrets) return Failure{secrets.error()};
            Pre pre;
            pre.password_hash = secrets->password_hash;
            if (rec->cabinet.puk_login_allowed && !secrets->puk_hash.empty())
                pre.puk_matched = key_.verify_puk(secrets->puk_hash, msisdn.text(), cred->reveal());
            if (!pre.puk_matched && pre.password_hash.empty())
                return fail(rules::kPasswordNotSet, "no password issued; dial *141*0#");
            return pre;
        },
        [this, cred, shared_done, record](Result<Pre> pre) {
            if (!pre) return (*shared_done)(Failure{pre.error()});
            if (pre->puk_matched) {
                cred->wipe();
                return run<LoginOk>(
                    [record](Database& db) { return record(db, true, LoginMethod::puk); },
                    *shared_done);
            }
            hasher_.verify(pre->password_hash, *cred, nullptr,
                           [this, cred, shared_done, record](Result<bool> match) {
                               cred->wipe();
                               if (!match) return (*shared_done)(Failure{match.error()});
                               bool ok = *match;
                               run<LoginOk>(
                                   [record, ok](Database& db) {
                                       return record(db, ok, LoginMethod::password);
                                   },
                                   *shared_done);
                           });
        });
}

}  // namespace ussdgw::storage
