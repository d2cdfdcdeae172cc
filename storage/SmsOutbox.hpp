// The SMS outbox (SPEC 4): a message accepted for sending is a row committed before the
// acceptance is acknowledged, so it survives a crash, a restart or an SMSC outage. The
// sender claims due messages (a claim is a lease: a sender that dies mid-send leaves the
// message to be claimed again), records each part's SMPP message id as its submit_sm_resp
// arrives, then reports the attempt: submitted, failed (retried with exponential backoff
// and `next_attempt_at`) or throttled (retried later without counting an attempt). A part
// the SMSC accepted stays accepted: a later attempt (after a failure, throttling or a
// crash) sends only the parts that have no SMPP id yet, so no part reaches the SMSC twice.
// Delivery receipts update the parts by SMPP message id; a receipt that matches no part
// yet (an SMSC may send part 1's receipt before it answers part 2) is held, durably, until
// that id is recorded or the claim lease has passed (after which no part of an attempt can
// still be recorded). Bodies are stored encrypted with the storage key and erased once the
// message is final.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/Database.hpp"
#include "storage/StorageConfig.hpp"
#include "storage/StorageKey.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

enum class OutboxState { pending, sending, submitted, delivered, failed };
std::string_view to_text(OutboxState s);

struct OutboxPolicy {
    int max_attempts = 10;
    std::chrono::milliseconds backoff_initial{5000};
    std::chrono::milliseconds backoff_max{600000};
    std::chrono::milliseconds claim_lease{120000};
};

// The outbox settings of the [storage] section.
OutboxPolicy outbox_policy(const StorageConfig& cfg);

// A message handed to the sender by `claim_due`.
struct OutboxMessage {
    std::int64_t id = 0;
    Msisdn msisdn = Msisdn::from_number(0);
    std::string kind;
    std::string text;  // decrypted; holds a password for "password" messages: do not log
    int attempts = 0;
    // The SMPP ids of parts the SMSC accepted in an earlier attempt, by part (index part_no
    // - 1; nullopt for a part still to send); empty when none was.
    std::vector<std::optional<std::string>> part_ids;
};

struct OutboxStatus {
    std::int64_t id = 0;
    OutboxState state = OutboxState::pending;
    int attempts = 0;
    std::int64_t next_attempt_at_ms = 0;
    int parts = 0;
    int parts_delivered = 0;
    bool has_body = false;
    std::string last_error;
};

// Messages not yet final, by state, and when the oldest pending one was created.
struct OutboxDepth {
    std::int64_t pending = 0, sending = 0, submitted = 0;
    std::optional<std::int64_t> oldest_pending_created_ms;
};

// What a delivery receipt did.
struct ReceiptOutcome {
    bool held = false;  // no part has its id yet: kept until one does
    std::int64_t message_id = 0;
    OutboxState message_state = OutboxState::submitted;
    bool became_final = false;  // this receipt moved the message to delivered / failed
};

// An integrator's SMS (the listener's "sms" role), queued for listener account `account`
// under the id its submit_sm_resp gave (unique). `body` is opaque here (engine/sms encodes
// the SMPP fields) and sealed at rest like every body. With `receipt` (registered_delivery's
// receipt bits: 1 on success or failure, 2 on failure only) a receipt row is made at once
// and filled when the message becomes final; `subscriber` is the SMS's destination (the
// receipt's source) and `reply_to` its source (where the receipt goes), TON/NPI first.
// The outbox kind of an integrator's SMS (its body is engine/sms/IntegratorSms's encoding).
inline constexpr std::string_view kIntegratorKind = "integrator";

struct ClientSms {
    std::string account;
    std::string client_message_id;
    Msisdn msisdn = Msisdn::from_number(0);
    std::string body;
    int receipt = 0;
    int subscriber_ton = 1, subscriber_npi = 1;
    std::string subscriber;
    int reply_ton = 0, reply_npi = 0;
    std::string reply_to;
};

// A receipt owed to an integrator: its message is final and the integrator has not yet
// answered the deliver_sm carrying it.
struct ClientReceipt {
    std::int64_t id = 0;
    std::string account;
    std::string client_message_id;
    int subscriber_ton = 1, subscriber_npi = 1;
    std::string subscriber;
    int reply_ton = 0, reply_npi = 0;
    std::string reply_to;
    std::string stat;  // DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED
    int err = 0;
    int parts = 0;  // parts the message was sent in
    std::int64_t submitted_at_ms = 0, done_at_ms = 0;
};

// Backoff before attempt `attempts + 1`: initial * 2^(attempts - 1), capped.
std::chrono::milliseconds outbox_backoff(const OutboxPolicy& p, int attempts);

class SmsOutbox {
  public:
    SmsOutbox(Database& db, const StorageKey& key, const OutboxPolicy& policy)
        : db_(db), key_(key), policy_(policy) {}

    // A new pending message, due now. Returns its id.
    Result<std::int64_t> enqueue(Msisdn msisdn, std::string_view kind, std::string_view text,
                                 std::int64_t now_ms);
    // Up to `limit` due messages, marked "sending" with a lease until now + claim_lease.
    Result<std::vector<OutboxMessage>> claim_due(std::int64_t now_ms, int limit);
    // Part `part_no` (1-based) of `parts` of a message being sent was accepted by the SMSC
    // with `smpp_id`: recorded at once, and the receipts held for that id are applied.
    Status record_part(std::int64_t id, int part_no, int parts, std::string_view smpp_id,
                       std::int64_t now_ms);
    // All parts were accepted by the SMSC (submit_sm_resp OK), one SMPP id per part (the
    // parts not recorded yet are recorded); final at once if every receipt is already in
    // (the outcome says so, as a receipt's does).
    Result<ReceiptOutcome> mark_submitted(std::int64_t id, const std::vector<std::string>& smpp_ids,
                                          std::int64_t now_ms);
    // The attempt failed; `permanent` (or too many attempts) makes the message final. The
    // parts accepted so far keep their ids (the next attempt sends only the others).
    Status mark_failed(std::int64_t id, std::string_view error, bool permanent,
                       std::int64_t now_ms);
    // Throttled (ESME_RTHROTTLED, ESME_RMSGQFUL): back to pending after `delay`, no attempt
    // counted; the parts accepted so far keep their ids.
    Status defer(std::int64_t id, std::chrono::milliseconds delay, std::int64_t now_ms);
    // A delivery receipt for one part, by SMPP message id and the receipt's `stat` word
    // (DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, ACCEPTD, ENROUTE, UNKNOWN). When no part
    // has that id the receipt is held (outcome `held`) until record_part names it, for at
    // most the claim lease.
    Result<ReceiptOutcome> apply_receipt(std::string_view smpp_id, std::string_view stat,
                                         std::int64_t now_ms);
    // Receipts held and not yet expired.
    Result<int> count_held_receipts(std::int64_t now_ms);
    Result<std::optional<OutboxStatus>> status(std::int64_t id);
    // Messages of `kind` created for `msisdn` at or after `since_ms` (the SMS rate limit).
    Result<int> count_since(Msisdn msisdn, std::string_view kind, std::int64_t since_ms);
    Result<int> count_in_state(OutboxState state);

    // Integrators' SMS (SmsOutboxClients.cpp). Queues one, due now; "sms.queue_full" when
    // the account already has `max_queued` messages waiting to leave (pending or sending).
    Result<std::int64_t> enqueue_client(const ClientSms& sms, int max_queued, std::int64_t now_ms);
    // Receipts of `account` that are final and not yet acknowledged by it, oldest first.
    Result<std::vector<ClientReceipt>> client_receipts_due(std::string_view account, int limit);
    // The integrator answered the receipt's deliver_sm: it is never sent again.
    Status ack_client_receipt(std::int64_t receipt_id, std::int64_t now_ms);
    // Messages of `account` waiting to leave (pending or sending).
    Result<int> count_client_queued(std::string_view account);
    // One read for the metrics: counts of pending / sending / submitted messages.
    Result<OutboxDepth> depth();

  private:
    Status set_part_state(std::int64_t id, std::int64_t part_no, std::string_view stat);
    Status apply_held(std::int64_t id, std::int64_t part_no, std::string_view smpp_id,
                      std::int64_t now_ms);
    Status finish_if_complete(std::int64_t id, std::int64_t now_ms, ReceiptOutcome& out);
    // The message became final: its integrator's receipt (if one was asked for) is due.
    Status settle_client_receipt(std::int64_t id, std::string_view stat, int err,
                                 std::int64_t now_ms);

    Database& db_;
    const StorageKey& key_;
    OutboxPolicy policy_;
};

}  // namespace ussdgw::storage
