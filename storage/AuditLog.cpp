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

Result<std::vector<AuditEntry>> AuditLog::recent(Msisdn msisdn, int limit) {
    auto q = db_.query(
        "SELECT at, action, actor_kind, actor_id, channel, detail FROM audit_log "
        "WHERE msisdn = ? ORDER BY at DESC, id DESC LIMIT ?");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, limit);
    std::vector<AuditEntry> out;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        AuditEntry e;
        e.at_ms = q->int64(0);
        e.msisdn = msisdn;
        e.action = q->text(1);
        std::string kind = q->text(2);
        e.actor.kind = kind == "manager"    ? ActorKind::manager
                       : kind == "operator" ? ActorKind::operator_staff
                                            : ActorKind::subscriber;
        e.actor.id = q->text(3);
        e.channel = channel_from_text(q->text(4)).value_or(Channel::cli);
        e.detail = q->text(5);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace ussdgw::storage
