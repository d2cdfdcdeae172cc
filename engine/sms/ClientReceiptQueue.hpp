// engine/sms: the receipts owed to integrators, per listener account, sans-I/O. The outbox
// holds them durably (a receipt row is filled when its SMS becomes final and kept until the
// integrator answers the deliver_sm carrying it); this queue decides when to read them, which
// to send, and when one is done. Fed whether an account has a bound receiver / transceiver,
// the rows read, each deliver_sm's answer, each acknowledgement's commit, and the time; it
// returns actions for its shell (ClientReceipts): load an account's due rows, send one, ack
// one.
//
// Exactly once: a receipt is sent again only while it is not acknowledged (no answer, a
// refusal, a lost session, a rebind: read again after `retry`), and never once its
// deliver_sm_resp came (it is acked at once, and left alone while that commits). At most
// `window` are unanswered per account. An account with a bound session is read every `poll`
// (or at once when told that a receipt became due).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/SmsOutbox.hpp"

namespace ussdgw::sms {

class ClientReceiptQueue {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    struct Settings {
        std::size_t window = 100;
        std::chrono::milliseconds poll{1000};
        std::chrono::milliseconds retry{10000};
    };
    struct Action {
        enum class Kind { load, send, ack } kind = Kind::load;
        std::string account;
        int limit = 0;                   // load: rows to read at most
        storage::ClientReceipt receipt;  // send: the receipt; ack: its id
    };
    using Actions = std::vector<Action>;

    explicit ClientReceiptQueue(Settings s) : s_(s) {}

    // Whether `account` has a session that can take deliver_sm.
    Actions bound(const std::string& account, bool up, TimePoint now);
    // A receipt of `account` (or of any account, "" ) may have become due.
    Actions due(const std::string& account, TimePoint now);
    // The rows a load read (ok = false: the read failed, try again after `retry`).
    Actions loaded(const std::string& account, std::vector<storage::ClientReceipt> rows, bool ok,
                   TimePoint now);
    // The integrator's answer to a receipt's deliver_sm: ok (deliver_sm_resp ESME_ROK), or
    // not (refused, no answer, not sent).
    Actions answered(const std::string& account, std::int64_t id, bool ok, TimePoint now);
    // The acknowledgement of receipt `id` was committed (ok) or failed.
    Actions acked(const std::string& account, std::int64_t id, bool ok, TimePoint now);
    Actions tick(TimePoint now);
    // When tick() has something to do next (nullopt: nothing scheduled).
    std::optional<TimePoint> next_deadline() const;

    // Receipts sent and not answered yet, over all accounts (metrics, tests).
    std::size_t in_flight() const;

  private:
    struct Account {
        bool up = false;
        bool loading = false;
        bool again = false;  // asked to load while loading
        TimePoint next_load{};
        TimePoint retry_until{};
        std::set<std::int64_t> sent, acking;
    };
    void maybe_load(const std::string& name, Account& a, TimePoint now, Actions& out);

    Settings s_;
    std::map<std::string, Account> accounts_;
};

}  // namespace ussdgw::sms
