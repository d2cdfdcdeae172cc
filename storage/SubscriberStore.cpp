#include "storage/SubscriberStore.hpp"

#include <fmt/format.h>

namespace ussdgw::storage {

Result<std::optional<SubscriberRecord>> SubscriberStore::find(Msisdn msisdn) {
    auto q = db_.query(
        "SELECT s.client_id, s.client_kind, s.role, s.tariff_plan, s.puk_login_enabled, "
        "s.service_state, s.payment, s.balance_minor, s.password_hash IS NOT NULL, "
        "s.password_set_at, s.access_open, s.closed_by, s.closed_at, s.puk_failures, "
        "s.puk_locked_until, s.pwd_failures, s.pwd_locked_until, s.language "
        "FROM subscribers s WHERE s.msisdn = ?");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number());
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row) return std::optional<SubscriberRecord>();
    SubscriberRecord r;
    Subscriber& s = r.subscriber;
    s.msisdn = msisdn;
    s.client_id = q->text(0);
    s.client_kind = client_kind_from_text(q->view(1)).value_or(ClientKind::individual);
    s.role = role_from_text(q->view(2)).value_or(Role::subscriber);
    s.tariff_plan = q->text(3);
    s.puk_login_enabled = q->int64(4) != 0;
    s.service = service_state_from_text(q->view(5)).value_or(ServiceState::suspended);
    s.payment = payment_from_text(q->view(6)).value_or(Payment::prepaid);
    s.balance_minor = q->int64(7);
    CabinetState& c = r.cabinet;
    c.has_password = q->int64(8) != 0;
    c.password_set_at_ms = q->int64(9);
    c.access_open = q->int64(10) != 0;
    if (!q->is_null(11)) c.closed_by = closed_by_from_text(q->view(11));
    c.closed_at_ms = q->int64(12);
    c.puk_failures = static_cast<int>(q->int64(13));
    c.puk_locked_until_ms = q->int64(14);
    c.password_failures = static_cast<int>(q->int64(15));
    c.password_locked_until_ms = q->int64(16);
    s.language = q->text(17);
    c.puk_login_allowed = rules::puk_login_allowed(s.tariff_plan, s.puk_login_enabled, puk_plans_);
    return std::optional<SubscriberRecord>(std::move(r));
}

Result<SubscriberRecord> SubscriberStore::get(Msisdn msisdn) {
    auto r = find(msisdn);
    if (!r) return Failure{r.error()};
    if (!*r) return fail(rules::kNotFound, "no such subscriber");
    return std::move(**r);
}

Result<StoredSecrets> SubscriberStore::secrets(Msisdn msisdn) {
    auto q = db_.query("SELECT puk_hash, password_hash FROM subscribers WHERE msisdn = ?");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number());
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row) return fail(rules::kNotFound, "no such subscriber");
    return StoredSecrets{q->text(0), q->text(1)};
}

Status SubscriberStore::upsert_client(const std::string& id, ClientKind kind) {
    auto sel = db_.query("SELECT kind FROM clients WHERE id = ?");
    if (!sel) return Failure{sel.error()};
    sel->bind(1, id);
    auto row = sel->step();
    if (!row) return Failure{row.error()};
    if (*row) {
        std::string existing = sel->text(0);
        if (existing != to_text(kind))
            return fail("client.kind_conflict",
                        fmt::format("client '{}' is already a {}", id, existing));
        return ok_status();
    }
    auto ins = db_.query("INSERT INTO clients (id, kind) VALUES (?, ?)");
    if (!ins) return Failure{ins.error()};
    ins->bind(1, id).bind(2, to_text(kind));
    return ins->run();
}

Result<UpsertOutcome> SubscriberStore::upsert(const Subscriber& s, const std::string& puk_hash,
                                              std::int64_t now_ms) {
    if (auto st = rules::check_role(s.client_kind, s.role); !st) return Failure{st.error()};
    auto exists = db_.query("SELECT 1 FROM subscribers WHERE msisdn = ?");
    if (!exists) return Failure{exists.error()};
    exists->bind(1, s.msisdn.number());
    auto row = exists->step();
    if (!row) return Failure{row.error()};
    bool existed = *row;
    auto q = db_.query(
        "INSERT INTO subscribers (msisdn, client_id, role, tariff_plan, puk_hash, "
        "puk_login_enabled, service_state, payment, balance_minor, created_at, updated_at, "
        "client_kind, language) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12) "
        "ON CONFLICT (msisdn) DO UPDATE SET client_id = excluded.client_id, role = excluded.role, "
        "tariff_plan = excluded.tariff_plan, puk_hash = excluded.puk_hash, "
        "puk_login_enabled = excluded.puk_login_enabled, service_state = excluded.service_state, "
        "payment = excluded.payment, balance_minor = excluded.balance_minor, "
        "updated_at = excluded.updated_at, client_kind = excluded.client_kind, "
        "language = excluded.language "
        "WHERE (client_id, role, tariff_plan, puk_hash, puk_login_enabled, service_state, payment, "
        "balance_minor, language) IS NOT (excluded.client_id, excluded.role, excluded.tariff_plan, "
        "excluded.puk_hash, excluded.puk_login_enabled, excluded.service_state, excluded.payment, "
        "excluded.balance_minor, excluded.language)");
    if (!q) return Failure{q.error()};
    q->bind(1, s.msisdn.number())
        .bind(2, s.client_id)
        .bind(3, to_text(s.role))
        .bind(4, s.tariff_plan)
        .bind(6, s.puk_login_enabled)
        .bind(7, to_text(s.service))
        .bind(8, to_text(s.payment))
        .bind(9, s.balance_minor)
        .bind(10, now_ms)
        .bind(11, to_text(s.client_kind))
        .bind(12, s.language);
    if (puk_hash.empty())
        q->bind_null(5);
    else
        q->bind(5, puk_hash);
    if (auto st = q->run(); !st) return Failure{st.error()};
    if (!existed) return UpsertOutcome::inserted;
    return db_.changes() > 0 ? UpsertOutcome::updated : UpsertOutcome::unchanged;
}

namespace {
Status expect_one(Database& db, Status st) {
    if (!st) return st;
    if (db.changes() == 0) return fail(rules::kNotFound, "no such subscriber");
    return ok_status();
}
}  // namespace

Status SubscriberStore::set_password_hash(Msisdn msisdn, const std::string& hash,
                                          std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE subscribers SET password_hash = ?2, password_set_at = ?3, pwd_failures = 0, "
        "pwd_locked_until = 0, updated_at = ?3 WHERE msisdn = ?1");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, hash).bind(3, now_ms);
    return expect_one(db_, q->run());
}

Status SubscriberStore::set_access(Msisdn msisdn, std::optional<ClosedBy> closed_by,
                                   std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE subscribers SET access_open = ?2, closed_by = ?3, closed_at = ?4, updated_at = ?4 "
        "WHERE msisdn = ?1");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, !closed_by.has_value()).bind(4, now_ms);
    if (closed_by)
        q->bind(3, to_text(*closed_by));
    else
        q->bind_null(3);
    return expect_one(db_, q->run());
}

namespace {
const char* kPukCounter =
    "UPDATE subscribers SET puk_failures = ?2, puk_locked_until = ?3, updated_at = ?4 "
    "WHERE msisdn = ?1";
const char* kPasswordCounter =
    "UPDATE subscribers SET pwd_failures = ?2, pwd_locked_until = ?3, updated_at = ?4 "
    "WHERE msisdn = ?1";

// Writes one attempt counter (`sql` names its columns) of a subscriber.
Status write_counter(Database& db, const char* sql, Msisdn msisdn, const rules::AttemptCounter& c,
                     std::int64_t now_ms) {
    auto q = db.query(sql);
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, c.failures).bind(3, c.locked_until_ms).bind(4, now_ms);
    return expect_one(db, q->run());
}
}  // namespace

Status SubscriberStore::set_puk_counter(Msisdn msisdn, const rules::AttemptCounter& c,
                                        std::int64_t now_ms) {
    return write_counter(db_, kPukCounter, msisdn, c, now_ms);
}

Status SubscriberStore::set_password_counter(Msisdn msisdn, const rules::AttemptCounter& c,
                                             std::int64_t now_ms) {
    return write_counter(db_, kPasswordCounter, msisdn, c, now_ms);
}

Result<std::int64_t> SubscriberStore::count() {
    auto q = db_.query("SELECT count(*) FROM subscribers");
    if (!q) return Failure{q.error()};
    auto row = q->step();
    if (!row) return Failure{row.error()};
    return q->int64(0);
}

}  // namespace ussdgw::storage
