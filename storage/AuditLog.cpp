#include "storage/AuditLog.hpp"

namespace ussdgw::storage {

Status AuditLog::append(const AuditEntry& e) {
    auto q = db_.query(
        "INSERT INTO audit_log (at, msisdn, action, actor_kind, actor_id, channel, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!q) return Failure{q.error()};
    q->bind(1, e.at_ms)
        .bind(2, e.msisdn.number())
        .bind(3, e.action)
        .bind(4, to_text(e.actor.kind))
        .bind(5, e.actor.id)
        .bind(6, to_text(e.channel))
        .bind(7, e.detail);
    return q->run();
}

namespace {
Result<std::vector<AuditEntry>> read_entries(Query& q, Msisdn msisdn) {
    std::vector<AuditEntry> out;
    for (;;) {
        auto row = q.step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        AuditEntry e;
        e.id = q.int64(0);
        e.at_ms = q.int64(1);
        e.msisdn = msisdn;
        e.action = q.text(2);
        std::string kind = q.text(3);
        e.actor.kind = kind == "manager"    ? ActorKind::manager
                       : kind == "operator" ? ActorKind::operator_staff
                                            : ActorKind::subscriber;
        e.actor.id = q.text(4);
        e.channel = channel_from_text(q.text(5)).value_or(Channel::cli);
        e.detail = q.text(6);
        out.push_back(std::move(e));
    }
    return out;
}
}  // namespace

Result<std::vector<AuditEntry>> AuditLog::recent(Msisdn msisdn, int limit) {
    auto q = db_.query(
        "SELECT id, at, action, actor_kind, actor_id, channel, detail FROM audit_log "
        "WHERE msisdn = ? ORDER BY at DESC, id DESC LIMIT ?");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, limit);
    return read_entries(*q, msisdn);
}

Result<std::vector<AuditEntry>> AuditLog::page(Msisdn msisdn, std::int64_t before, int limit) {
    auto q = db_.query(
        "SELECT id, at, action, actor_kind, actor_id, channel, detail FROM audit_log "
        "WHERE msisdn = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, before).bind(3, limit);
    return read_entries(*q, msisdn);
}

}  // namespace ussdgw::storage
