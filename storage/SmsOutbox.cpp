#include "storage/SmsOutbox.hpp"

#include <algorithm>

#include "storage/CabinetRules.hpp"

namespace ussdgw::storage {

std::string_view to_text(OutboxState s) {
    switch (s) {
        case OutboxState::pending:
            return "pending";
        case OutboxState::sending:
            return "sending";
        case OutboxState::submitted:
            return "submitted";
        case OutboxState::delivered:
            return "delivered";
        case OutboxState::failed:
            return "failed";
    }
    return "failed";
}

namespace {
OutboxState outbox_state_from_text(std::string_view t) {
    for (auto s : {OutboxState::pending, OutboxState::sending, OutboxState::submitted,
                   OutboxState::delivered, OutboxState::failed})
        if (to_text(s) == t) return s;
    return OutboxState::failed;
}
}  // namespace

OutboxPolicy outbox_policy(const StorageConfig& c) {
    return {c.outbox_max_attempts, c.outbox_backoff_initial, c.outbox_backoff_max,
            c.outbox_claim_lease};
}

std::chrono::milliseconds outbox_backoff(const OutboxPolicy& p, int attempts) {
    auto d = p.backoff_initial;
    for (int i = 1; i < attempts && d < p.backoff_max; ++i)
        d *= 2;
    return std::min(d, p.backoff_max);
}

Result<std::int64_t> SmsOutbox::enqueue(Msisdn msisdn, std::string_view kind, std::string_view text,
                                        std::int64_t now_ms) {
    std::string sealed = key_.seal(text);
    auto q = db_.query(
        "INSERT INTO sms_outbox (msisdn, kind, body, state, next_attempt_at, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?4)");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number())
        .bind(2, kind)
        .bind_blob(3, sealed.data(), sealed.size())
        .bind(4, now_ms);
    if (auto st = q->run(); !st) return Failure{st.error()};
    return db_.last_insert_rowid();
}

Result<std::vector<OutboxMessage>> SmsOutbox::claim_due(std::int64_t now_ms, int limit) {
    std::vector<OutboxMessage> out;
    {
        auto q = db_.query(
            "SELECT id, msisdn, kind, body, attempts FROM sms_outbox "
            "WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?");
        if (!q) return Failure{q.error()};
        q->bind(1, now_ms).bind(2, limit);
        for (;;) {
            auto row = q->step();
            if (!row) return Failure{row.error()};
            if (!*row) break;
            OutboxMessage m;
            m.id = q->int64(0);
            m.msisdn = Msisdn::from_number(q->int64(1));
            m.kind = q->text(2);
            auto text = key_.unseal(q->blob(3));
            if (!text) return Failure{text.error()};
            m.text = std::move(*text);
            m.attempts = static_cast<int>(q->int64(4));
            out.push_back(std::move(m));
        }
    }
    // The parts an earlier attempt got accepted are not sent again.
    for (auto& m : out) {
        auto parts = db_.query(
            "SELECT part_no, smpp_message_id FROM sms_parts WHERE message_id = ? ORDER BY "
            "part_no");
        if (!parts) return Failure{parts.error()};
        parts->bind(1, m.id);
        for (;;) {
            auto row = parts->step();
            if (!row) return Failure{row.error()};
            if (!*row) break;
            auto part_no = parts->int64(0);
            if (part_no < 1 || part_no > 255) continue;
            if (m.part_ids.size() < static_cast<std::size_t>(part_no)) m.part_ids.resize(part_no);
            m.part_ids[part_no - 1] = parts->text(1);
        }
    }
    auto upd = db_.query(
        "UPDATE sms_outbox SET state = 'sending', next_attempt_at = ?2, updated_at = ?3 "
        "WHERE id = ?1");
    if (!upd) return Failure{upd.error()};
    for (const auto& m : out) {
        upd->bind(1, m.id).bind(2, now_ms + policy_.claim_lease.count()).bind(3, now_ms);
        if (auto st = upd->run(); !st) return Failure{st.error()};
    }
    return out;
}

namespace {
const char* part_state_of(std::string_view stat) {
    if (stat == "DELIVRD") return "delivered";
    if (stat == "UNDELIV" || stat == "EXPIRED" || stat == "REJECTD" || stat == "DELETED")
        return "failed";
    return "submitted";
}
}  // namespace

Status SmsOutbox::set_part_state(std::int64_t id, std::int64_t part_no, std::string_view stat) {
    auto upd = db_.query(
        "UPDATE sms_parts SET state = ?3, receipt_stat = ?4 WHERE message_id = ?1 AND part_no = "
        "?2");
    if (!upd) return Failure{upd.error()};
    upd->bind(1, id).bind(2, part_no).bind(3, part_state_of(stat)).bind(4, stat);
    return upd->run();
}

// Records one part's id (a new id for the part replaces an old one; the same id again
// changes nothing) and applies the receipts held for it, oldest first.
Status SmsOutbox::apply_held(std::int64_t id, std::int64_t part_no, std::string_view smpp_id,
                             std::int64_t now_ms) {
    auto ins = db_.query(
        "INSERT INTO sms_parts (message_id, part_no, smpp_message_id, state) "
        "VALUES (?1, ?2, ?3, 'submitted') ON CONFLICT (message_id, part_no) DO UPDATE SET "
        "smpp_message_id = excluded.smpp_message_id, state = 'submitted', receipt_stat = '' "
        "WHERE smpp_message_id IS NOT excluded.smpp_message_id");
    if (!ins) return Failure{ins.error()};
    ins->bind(1, id).bind(2, part_no).bind(3, smpp_id);
    if (auto st = ins->run(); !st) return st;
    std::vector<std::string> stats;
    {
        auto held = db_.query(
            "SELECT stat FROM sms_receipts_held WHERE smpp_message_id = ? AND expires_at > ? "
            "ORDER BY received_at, rowid");
        if (!held) return Failure{held.error()};
        held->bind(1, smpp_id).bind(2, now_ms);
        for (;;) {
            auto row = held->step();
            if (!row) return Failure{row.error()};
            if (!*row) break;
            stats.push_back(held->text(0));
        }
    }
    if (stats.empty()) return ok_status();
    for (const auto& stat : stats)
        if (auto st = set_part_state(id, part_no, stat); !st) return st;
    auto del = db_.query("DELETE FROM sms_receipts_held WHERE smpp_message_id = ?");
    if (!del) return Failure{del.error()};
    del->bind(1, smpp_id);
    return del->run();
}

Status SmsOutbox::record_part(std::int64_t id, int part_no, int parts, std::string_view smpp_id,
                              std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE sms_outbox SET parts = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'sending'");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, parts).bind(3, now_ms);
    if (auto st = q->run(); !st) return st;
    if (db_.changes() == 0) return fail(rules::kNotFound, "no message being sent with that id");
    return apply_held(id, part_no, smpp_id, now_ms);
}

Result<ReceiptOutcome> SmsOutbox::mark_submitted(std::int64_t id,
                                                 const std::vector<std::string>& smpp_ids,
                                                 std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE sms_outbox SET state = 'submitted', attempts = attempts + 1, parts = ?3, "
        "updated_at = ?2, last_error = '' WHERE id = ?1 AND state IN ('pending', 'sending')");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, now_ms).bind(3, static_cast<std::int64_t>(smpp_ids.size()));
    if (auto st = q->run(); !st) return Failure{st.error()};
    if (db_.changes() == 0) return fail(rules::kNotFound, "no message waiting with that id");
    for (std::size_t i = 0; i < smpp_ids.size(); ++i)
        if (auto st = apply_held(id, static_cast<std::int64_t>(i + 1), smpp_ids[i], now_ms); !st)
            return Failure{st.error()};
    ReceiptOutcome out;
    out.message_id = id;
    if (auto st = finish_if_complete(id, now_ms, out); !st) return Failure{st.error()};
    return out;
}

Status SmsOutbox::mark_failed(std::int64_t id, std::string_view error, bool permanent,
                              std::int64_t now_ms) {
    auto sel = db_.query(
        "SELECT attempts FROM sms_outbox WHERE id = ? AND state IN ('pending', "
        "'sending')");
    if (!sel) return Failure{sel.error()};
    sel->bind(1, id);
    auto row = sel->step();
    if (!row) return Failure{row.error()};
    if (!*row) return fail(rules::kNotFound, "no message waiting with that id");
    int attempts = static_cast<int>(sel->int64(0)) + 1;
    bool final_failure = permanent || attempts >= policy_.max_attempts;
    auto q = db_.query(
        "UPDATE sms_outbox SET attempts = ?2, state = ?3, next_attempt_at = ?4, last_error = ?5, "
        "updated_at = ?6, body = CASE WHEN ?3 = 'failed' THEN NULL ELSE body END WHERE id = ?1");
    if (!q) return Failure{q.error()};
    q->bind(1, id)
        .bind(2, attempts)
        .bind(3, final_failure ? "failed" : "pending")
        .bind(4, now_ms + outbox_backoff(policy_, attempts).count())
        .bind(5, error)
        .bind(6, now_ms);
    if (auto st = q->run(); !st) return st;
    // The parts an attempt got accepted stay recorded (they are not sent again); a message
    // that failed for good settles the receipt owed to its integrator.
    if (final_failure)
        return settle_client_receipt(id, permanent ? "REJECTD" : "UNDELIV", 0, now_ms);
    return ok_status();
}

Status SmsOutbox::defer(std::int64_t id, std::chrono::milliseconds delay, std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE sms_outbox SET state = 'pending', next_attempt_at = ?2, updated_at = ?3, "
        "last_error = 'throttled' WHERE id = ?1 AND state IN ('pending', 'sending')");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, now_ms + delay.count()).bind(3, now_ms);
    if (auto st = q->run(); !st) return st;
    if (db_.changes() == 0) return fail(rules::kNotFound, "no message waiting with that id");
    return ok_status();
}

Result<ReceiptOutcome> SmsOutbox::apply_receipt(std::string_view smpp_id, std::string_view stat,
                                                std::int64_t now_ms) {
    std::optional<std::pair<std::int64_t, std::int64_t>> part;  // message id, part number
    {
        auto sel = db_.query(
            "SELECT message_id, part_no FROM sms_parts WHERE smpp_message_id = ? "
            "ORDER BY message_id DESC LIMIT 1");
        if (!sel) return Failure{sel.error()};
        sel->bind(1, smpp_id);
        auto row = sel->step();
        if (!row) return Failure{row.error()};
        if (*row) part.emplace(sel->int64(0), sel->int64(1));
    }
    if (!part) {
        // Its part's submit_sm_resp may not be recorded yet: hold it until it is.
        auto purge = db_.query("DELETE FROM sms_receipts_held WHERE expires_at <= ?");
        if (!purge) return Failure{purge.error()};
        purge->bind(1, now_ms);
        if (auto st = purge->run(); !st) return Failure{st.error()};
        auto hold = db_.query(
            "INSERT INTO sms_receipts_held (smpp_message_id, stat, received_at, expires_at) "
            "VALUES (?1, ?2, ?3, ?4)");
        if (!hold) return Failure{hold.error()};
        hold->bind(1, smpp_id)
            .bind(2, stat)
            .bind(3, now_ms)
            .bind(4, now_ms + policy_.claim_lease.count());
        if (auto st = hold->run(); !st) return Failure{st.error()};
        ReceiptOutcome held;
        held.held = true;
        return held;
    }
    auto [message_id, part_no] = *part;
    if (auto st = set_part_state(message_id, part_no, stat); !st) return Failure{st.error()};
    ReceiptOutcome out;
    out.message_id = message_id;
    if (auto st = finish_if_complete(message_id, now_ms, out); !st) return Failure{st.error()};
    return out;
}

Result<int> SmsOutbox::count_held_receipts(std::int64_t now_ms) {
    auto q = db_.query("SELECT count(*) FROM sms_receipts_held WHERE expires_at > ?");
    if (!q) return Failure{q.error()};
    q->bind(1, now_ms);
    auto row = q->step();
    if (!row) return Failure{row.error()};
    return static_cast<int>(q->int64(0));
}

Status SmsOutbox::finish_if_complete(std::int64_t id, std::int64_t now_ms, ReceiptOutcome& out) {
    std::int64_t parts = 0, delivered = 0, failed = 0;
    OutboxState state = OutboxState::submitted;
    {
        auto q = db_.query(
            "SELECT parts, state, "
            "(SELECT count(*) FROM sms_parts WHERE message_id = o.id AND state = 'delivered'), "
            "(SELECT count(*) FROM sms_parts WHERE message_id = o.id AND state = 'failed') "
            "FROM sms_outbox o WHERE id = ?");
        if (!q) return Failure{q.error()};
        q->bind(1, id);
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) return fail(rules::kNotFound, "no message with that id");
        parts = q->int64(0);
        state = outbox_state_from_text(q->view(1));
        delivered = q->int64(2);
        failed = q->int64(3);
    }
    out.message_state = state;
    // Final only once every part was answered (submitted): until then a part may still fail.
    if (state != OutboxState::submitted) return ok_status();
    std::optional<OutboxState> final_state;
    if (failed > 0)
        final_state = OutboxState::failed;
    else if (parts > 0 && delivered == parts)
        final_state = OutboxState::delivered;
    if (!final_state) return ok_status();
    out.message_state = *final_state;
    auto upd = db_.query(
        "UPDATE sms_outbox SET state = ?2, body = NULL, updated_at = ?3, "
        "last_error = CASE WHEN ?2 = 'failed' THEN 'delivery failed' ELSE '' END "
        "WHERE id = ?1 AND state = 'submitted'");
    if (!upd) return Failure{upd.error()};
    upd->bind(1, id).bind(2, to_text(*final_state)).bind(3, now_ms);
    if (auto st = upd->run(); !st) return st;
    out.became_final = db_.changes() > 0;
    if (!out.became_final) return ok_status();
    std::string stat = "DELIVRD";
    if (*final_state == OutboxState::failed) {
        auto q = db_.query(
            "SELECT receipt_stat FROM sms_parts WHERE message_id = ? AND state = 'failed' "
            "ORDER BY part_no LIMIT 1");
        if (!q) return Failure{q.error()};
        q->bind(1, id);
        auto row = q->step();
        if (!row) return Failure{row.error()};
        stat = *row ? q->text(0) : std::string("UNDELIV");
    }
    return settle_client_receipt(id, stat, 0, now_ms);
}

Result<std::optional<OutboxStatus>> SmsOutbox::status(std::int64_t id) {
    auto q = db_.query(
        "SELECT state, attempts, next_attempt_at, body IS NOT NULL, last_error, parts, "
        "(SELECT count(*) FROM sms_parts WHERE message_id = o.id AND state = 'delivered') "
        "FROM sms_outbox o WHERE id = ?");
    if (!q) return Failure{q.error()};
    q->bind(1, id);
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row) return std::optional<OutboxStatus>();
    OutboxStatus s;
    s.id = id;
    s.state = outbox_state_from_text(q->text(0));
    s.attempts = static_cast<int>(q->int64(1));
    s.next_attempt_at_ms = q->int64(2);
    s.has_body = q->int64(3) != 0;
    s.last_error = q->text(4);
    s.parts = static_cast<int>(q->int64(5));
    s.parts_delivered = static_cast<int>(q->int64(6));
    return std::optional<OutboxStatus>(s);
}

Result<int> SmsOutbox::count_since(Msisdn msisdn, std::string_view kind, std::int64_t since_ms) {
    auto q = db_.query(
        "SELECT count(*) FROM sms_outbox WHERE msisdn = ? AND kind = ? AND created_at >= ?");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, kind).bind(3, since_ms);
    auto row = q->step();
    if (!row) return Failure{row.error()};
    return static_cast<int>(q->int64(0));
}

Result<int> SmsOutbox::count_in_state(OutboxState state) {
    auto q = db_.query("SELECT count(*) FROM sms_outbox WHERE state = ?");
    if (!q) return Failure{q.error()};
    q->bind(1, to_text(state));
    auto row = q->step();
    if (!row) return Failure{row.error()};
    return static_cast<int>(q->int64(0));
}

Result<OutboxDepth> SmsOutbox::depth() {
    auto q = db_.query(
        "SELECT state, count(*), min(created_at) FROM sms_outbox "
        "WHERE state IN ('pending', 'sending', 'submitted') GROUP BY state");
    if (!q) return Failure{q.error()};
    OutboxDepth d;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        std::string state = q->text(0);
        std::int64_t n = q->int64(1);
        if (state == "pending") {
            d.pending = n;
            d.oldest_pending_created_ms = q->int64(2);
        } else if (state == "sending") {
            d.sending = n;
        } else {
            d.submitted = n;
        }
    }
    return d;
}

}  // namespace ussdgw::storage
