#include "storage/CabinetService.hpp"

#include <fmt/format.h>

#include "storage/AuditLog.hpp"
#include "storage/SubscriberStore.hpp"

namespace ussdgw::storage {

namespace {

rules::Party party(const Subscriber& s) {
    return {s.client_id, s.client_kind, s.role};
}

}  // namespace

// ---- lookups (the read connection) ------------------------------------------------

Result<std::optional<SubscriberRecord>> CabinetService::find(Msisdn msisdn) {
    return SubscriberStore(reader(), cfg_.puk_login_tariff_plans).find(msisdn);
}

void CabinetService::state(Msisdn msisdn, Done<SubscriberRecord> done) {
    read<SubscriberRecord>(
        [this, msisdn](Database& db) {
            return SubscriberStore(db, cfg_.puk_login_tariff_plans).get(msisdn);
        },
        std::move(done));
}

void CabinetService::own_access(Msisdn msisdn, Done<CabinetState> done) {
    read<CabinetState>(
        [this, msisdn](Database& db) -> Result<CabinetState> {
            auto rec = SubscriberStore(db, cfg_.puk_login_tariff_plans).get(msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_request(rec->subscriber.service); !st)
                return Failure{st.error()};
            return rec->cabinet;
        },
        std::move(done));
}

void CabinetService::managed_access(Msisdn manager, Msisdn target, Done<CabinetState> done) {
    read<CabinetState>(
        [this, manager, target](Database& db) -> Result<CabinetState> {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto mgr = store.get(manager);
            if (!mgr) return Failure{mgr.error()};
            if (auto st = rules::may_request(mgr->subscriber.service); !st)
                return Failure{st.error()};
            auto rec = store.get(target);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_manage(party(mgr->subscriber), party(rec->subscriber)); !st)
                return Failure{st.error()};
            return rec->cabinet;
        },
        std::move(done));
}

// ---- access changes (group-commit batches) ----------------------------------------

Status CabinetService::check_puk(Database& db, const SubscriberRecord& rec, const Secret& puk,
                                 Channel channel, std::int64_t now) {
    Msisdn m = rec.subscriber.msisdn;
    auto counter = rules::puk_counter(rec.cabinet);
    if (auto st = rules::check_lockout(counter, now, rules::kPukLocked); !st) return st;
    SubscriberStore store(db, cfg_.puk_login_tariff_plans);
    auto secrets = store.secrets(m);
    if (!secrets) return Failure{secrets.error()};
    if (secrets->puk_hash.empty()) return fail(rules::kPukNotSet, "no PUK1 on file");
    if (key_.verify_puk(secrets->puk_hash, m.text(), puk.reveal())) {
        if (counter.failures != 0 || counter.locked_until_ms != 0)
            if (auto st = store.set_puk_counter(m, rules::after_success(), now); !st) return st;
        return ok_status();
    }
    auto next =
        rules::after_failure(counter, now, cfg_.puk_max_wrong, cfg_.puk_lockout.count() * 1000);
    if (auto st = store.set_puk_counter(m, next, now); !st) return st;
    if (auto st = AuditLog(db).append({now, m, "puk.wrong", Actor::subscriber(m), channel,
                                       fmt::format("failures={}", next.failures)});
        !st)
        return st;
    return rules::wrong_entry(next, now, cfg_.puk_max_wrong, rules::kPukWrong, rules::kPukLocked);
}

void CabinetService::verify_puk(Msisdn msisdn, Secret puk, Channel channel, Done<Ok> done) {
    run<Ok>(
        [this, msisdn, puk = std::move(puk), channel](Database& db) -> Status {
            auto rec = SubscriberStore(db, cfg_.puk_login_tariff_plans).get(msisdn);
            if (!rec) return Failure{rec.error()};
            return check_puk(db, *rec, puk, channel, now());
        },
        std::move(done));
}

void CabinetService::close_own_access(Msisdn msisdn, Channel channel, Done<Ok> done,
                                      CancellationPtr cancellation) {
    run<Ok>(
        [this, msisdn, channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = store.get(msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_request(rec->subscriber.service); !st) return st;
            if (auto st = rules::may_close(ActorKind::subscriber, ClosedBy::subscriber,
                                           rec->subscriber.client_kind, rec->cabinet);
                !st)
                return st;
            std::int64_t t = now();
            if (auto st = store.set_access(msisdn, ClosedBy::subscriber, t); !st) return st;
            return AuditLog(db).append(
                {t, msisdn, "access.closed", Actor::subscriber(msisdn), channel, "by=subscriber"});
        },
        std::move(done), std::move(cancellation));
}

void CabinetService::open_own_access(Msisdn msisdn, Secret puk, Channel channel, Done<Ok> done,
                                     CancellationPtr cancellation) {
    run<Ok>(
        [this, msisdn, puk = std::move(puk), channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto rec = store.get(msisdn);
            if (!rec) return Failure{rec.error()};
            if (auto st = rules::may_request(rec->subscriber.service); !st) return st;
            if (auto st = rules::may_open(ActorKind::subscriber, rec->cabinet); !st) return st;
            std::int64_t t = now();
            if (auto st = check_puk(db, *rec, puk, channel, t); !st) return st;
            if (auto st = store.set_access(msisdn, std::nullopt, t); !st) return st;
            return AuditLog(db).append(
                {t, msisdn, "access.opened", Actor::subscriber(msisdn), channel, "puk=verified"});
        },
        std::move(done), std::move(cancellation));
}

void CabinetService::manager_set_access(Msisdn manager, Msisdn target, bool open, Channel channel,
                                        Done<Ok> done, CancellationPtr cancellation) {
    run<Ok>(
        [this, manager, target, open, channel](Database& db) -> Status {
            SubscriberStore store(db, cfg_.puk_login_tariff_plans);
            auto mgr = store.get(manager);
            if (!mgr) return Failure{mgr.error()};
            if (auto st = rules::may_request(mgr->subscriber.service); !st) return st;
            auto rec = store.get(target);
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
            auto rec = store.get(msisdn);
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
            auto rec = store.get(msisdn);
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

}  // namespace ussdgw::storage
