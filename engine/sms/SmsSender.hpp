// engine/sms: sends the SMS outbox over SMPP and applies delivery receipts (SPEC 4).
//
// `SmsSender` claims due messages from the outbox (a lease: a sender that dies leaves them
// to be claimed again), splits each text into parts (GSM 7-bit or UCS2, concatenated with a
// UDH when long), submits every part with a delivery receipt requested (but not a part the
// SMSC accepted in an earlier attempt: no part is sent twice), records each part's
// SMPP message id durably as its response arrives (its receipt may come before the next
// part's response), and then the attempt's outcome: all parts accepted -> submitted;
// throttling (ESME_RTHROTTLED, ESME_RMSGQFUL) -> deferred without counting an attempt, and
// the sender pauses; a timeout or lost link -> a retry with backoff; a permanent refusal ->
// failed. Receipts (esm_class receipt bits, receipted_message_id / message_state TLVs or the
// classic "id:... stat:..." text) update the message; one that matches no part yet is held
// by the outbox until its part's id is recorded. Integrators' SMS (kind "integrator") leave as
// their own parts (IntegratorSms.hpp) under the same rules. The transport is a function, so the
// sender is driven in tests without sockets; texts are never logged (they carry passwords).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/sms/SmsConfig.hpp"
#include "smpp/Pdu.hpp"
#include "storage/Storage.hpp"

namespace ussdgw::sms {

// What the link said about one submitted part.
struct PartOutcome {
    enum class Kind { accepted, refused, no_answer } kind = Kind::no_answer;
    std::uint32_t status = 0;  // refused: command_status
    std::string message_id;    // accepted
    std::string detail;        // no_answer: why (timeout, link down, ...)
};

// A receipt read from a deliver_sm; nullopt when it is not a delivery receipt.
struct Receipt {
    std::string message_id;
    std::string stat;  // DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, ACCEPTD, ENROUTE, UNKNOWN
};
std::optional<Receipt> parse_receipt(const smpp::ShortMessage& sm);

// submit_sm for each part of a text (exposed for tests).
std::vector<smpp::SubmitSm> build_parts(const SmsConfig& cfg, const std::string& msisdn,
                                        const std::string& text, std::uint8_t ref);

// SMPP 3.4 7.1.1 relative time, "YYMMDDhhmmss000R", for up to 30 days ("" for 0).
std::string relative_validity(std::chrono::seconds period);

// A status the SMSC will never accept on a retry (bad addresses, bad parameters).
bool is_permanent(std::uint32_t status);

class SmsSender {
  public:
    // Sends part of outbox message `outbox_id` (parts of one message come one after another).
    using Submit = std::function<void(std::int64_t outbox_id, smpp::SubmitSm,
                                      std::function<void(PartOutcome)>)>;
    using Now = std::function<std::chrono::steady_clock::time_point()>;
    struct Stats {
        std::uint64_t claimed = 0, submitted = 0, deferred = 0, failed = 0, receipts = 0;
        // Of the failed attempts: scheduled again, or the message gave up (permanent
        // refusal, attempts exhausted). Receipts that made a message final: delivered, or
        // not (UNDELIV, EXPIRED, REJECTD, DELETED).
        std::uint64_t retried = 0, gave_up = 0, delivered = 0, undelivered = 0;
    };

    SmsSender(SmsConfig cfg, storage::Storage& storage, Submit submit, Now now);

    // Claims and sends what is due (unless paused by throttling or at max_in_flight).
    // Completions arrive through the storage's Post; call poll() again on a timer.
    void poll();
    // A deliver_sm from the SMS link: true when it was a receipt (applied durably).
    bool on_receipt(const smpp::ShortMessage& sm);

    // Runs when a message became final (delivered or failed): an integrator's receipt may be
    // due.
    void on_final(std::function<void()> fn) { on_final_ = std::move(fn); }

    const SmsConfig& config() const { return cfg_; }
    const Stats& stats() const { return stats_; }
    int in_flight() const { return in_flight_; }
    bool paused() const;

  private:
    struct Sending {
        std::int64_t id = 0;
        std::vector<std::string> ids;
        int waiting = 0;
        std::optional<PartOutcome> worst;  // the first part that was not accepted
    };
    Result<std::vector<smpp::SubmitSm>> parts_of(const storage::OutboxMessage& m) const;
    void send(storage::OutboxMessage m);
    void part_done(std::int64_t id, std::size_t index, PartOutcome outcome);
    void finish(Sending s);
    void count_final(const storage::ReceiptOutcome& r);

    SmsConfig cfg_;
    storage::Storage& storage_;
    Submit submit_;
    Now now_;
    std::function<void()> on_final_;
    std::map<std::int64_t, Sending> sending_;
    int in_flight_ = 0;
    bool claiming_ = false;
    std::chrono::steady_clock::time_point paused_until_{};
    Stats stats_;
};

}  // namespace ussdgw::sms
