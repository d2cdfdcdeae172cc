// SmsOutbox, integrators' side: their SMS queued under the id their submit_sm_resp gave,
// and the receipts owed to them (made with the SMS, filled when it is final, kept until the
// integrator acknowledges the deliver_sm carrying it). See SmsOutbox.hpp.
#include "storage/CabinetRules.hpp"
#include "storage/SmsOutbox.hpp"

namespace ussdgw::storage {

Result<int> SmsOutbox::count_client_queued(std::string_view account) {
    auto q = db_.query(
        "SELECT count(*) FROM sms_outbox WHERE account = ? AND state IN ('pending', 'sending')");
    if (!q) return Failure{q.error()};
    q->bind(1, account);
    auto row = q->step();
    if (!row) return Failure{row.error()};
    return static_cast<int>(q->int64(0));
}

Result<std::int64_t> SmsOutbox::enqueue_client(const ClientSms& sms, int max_queued,
                                               std::int64_t now_ms) {
    auto queued = count_client_queued(sms.account);
    if (!queued) return Failure{queued.error()};
    if (*queued >= max_queued)
        return fail("sms.queue_full", "the account has as many messages queued as it may");
    std::string sealed = key_.seal(sms.body);
    auto q = db_.query(
        "INSERT INTO sms_outbox (msisdn, kind, body, state, next_attempt_at, created_at, "
        "updated_at, account, client_message_id) "
        "VALUES (?1, ?6, ?2, 'pending', ?3, ?3, ?3, ?4, ?5)");
    if (!q) return Failure{q.error()};
    q->bind(1, sms.msisdn.number())
        .bind_blob(2, sealed.data(), sealed.size())
        .bind(3, now_ms)
        .bind(4, sms.account)
        .bind(5, sms.client_message_id)
        .bind(6, kIntegratorKind);
    if (auto st = q->run(); !st) return Failure{st.error()};
    std::int64_t id = db_.last_insert_rowid();
    if (sms.receipt == 1 || sms.receipt == 2) {
        auto r = db_.query(
            "INSERT INTO sms_client_receipts (outbox_id, account, client_message_id, wanted, "
            "subscriber_ton, subscriber_npi, subscriber, reply_ton, reply_npi, reply_to, "
            "submitted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        if (!r) return Failure{r.error()};
        r->bind(1, id)
            .bind(2, sms.account)
            .bind(3, sms.client_message_id)
            .bind(4, sms.receipt)
            .bind(5, sms.subscriber_ton)
            .bind(6, sms.subscriber_npi)
            .bind(7, sms.subscriber)
            .bind(8, sms.reply_ton)
            .bind(9, sms.reply_npi)
            .bind(10, sms.reply_to)
            .bind(11, now_ms);
        if (auto st = r->run(); !st) return Failure{st.error()};
    }
    return id;
}

Status SmsOutbox::settle_client_receipt(std::int64_t id, std::string_view stat, int err,
                                        std::int64_t now_ms) {
    // A receipt asked for on failure only is not owed for a delivered message.
    if (stat == "DELIVRD") {
        auto del = db_.query(
            "DELETE FROM sms_client_receipts WHERE outbox_id = ? AND wanted = 2 AND stat IS NULL");
        if (!del) return Failure{del.error()};
        del->bind(1, id);
        if (auto st = del->run(); !st) return st;
    }
    auto q = db_.query(
        "UPDATE sms_client_receipts SET stat = ?2, err = ?3, done_at = ?4, "
        "parts = (SELECT parts FROM sms_outbox WHERE id = ?1) "
        "WHERE outbox_id = ?1 AND stat IS NULL");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, stat).bind(3, err).bind(4, now_ms);
    return q->run();
}

Result<std::vector<ClientReceipt>> SmsOutbox::client_receipts_due(std::string_view account,
                                                                  int limit) {
    auto q = db_.query(
        "SELECT id, client_message_id, subscriber_ton, subscriber_npi, subscriber, reply_ton, "
        "reply_npi, reply_to, stat, err, parts, submitted_at, done_at FROM sms_client_receipts "
        "WHERE account = ?1 AND acked_at IS NULL AND stat IS NOT NULL ORDER BY id LIMIT ?2");
    if (!q) return Failure{q.error()};
    q->bind(1, account).bind(2, limit);
    std::vector<ClientReceipt> out;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        ClientReceipt r;
        r.id = q->int64(0);
        r.account = std::string(account);
        r.client_message_id = q->text(1);
        r.subscriber_ton = static_cast<int>(q->int64(2));
        r.subscriber_npi = static_cast<int>(q->int64(3));
        r.subscriber = q->text(4);
        r.reply_ton = static_cast<int>(q->int64(5));
        r.reply_npi = static_cast<int>(q->int64(6));
        r.reply_to = q->text(7);
        r.stat = q->text(8);
        r.err = static_cast<int>(q->int64(9));
        r.parts = static_cast<int>(q->int64(10));
        r.submitted_at_ms = q->int64(11);
        r.done_at_ms = q->int64(12);
        out.push_back(std::move(r));
    }
    return out;
}

Status SmsOutbox::ack_client_receipt(std::int64_t receipt_id, std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE sms_client_receipts SET acked_at = ?2 WHERE id = ?1 AND acked_at IS NULL");
    if (!q) return Failure{q.error()};
    q->bind(1, receipt_id).bind(2, now_ms);
    if (auto st = q->run(); !st) return st;
    if (db_.changes() == 0) return fail(rules::kNotFound, "no receipt waiting with that id");
    return ok_status();
}

}  // namespace ussdgw::storage
