// engine/sms: SmppSmsIngress, the listener's "sms" role on the engine's event loop. An
// integrator (a listener account with the sms role) submits SMS as submit_sm or data_sm:
// each is read (IntegratorSms.hpp: refused with the status that says what is wrong), held to
// the account's throughput (a token bucket over all its sessions: ESME_RTHROTTLED) and
// committed to the outbox under a new message id (MessageIdGenerator: unique across
// restarts) unless the account has sms_max_queued messages waiting already (ESME_RMSGQFUL,
// decided inside the same transaction); only after the COMMIT is submit_sm_resp ESME_ROK
// sent, and the SMS service is kicked to relay it. The receipts owed to the account go back
// as deliver_sm through ClientReceiptQueue (the sans-I/O part), performed here: the rows
// read from the outbox, each deliver_sm sent on a bound receiver / transceiver session,
// each deliver_sm_resp acknowledged durably. Texts are never logged. Single-threaded: use
// it on the loop's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/base/Lifetime.hpp"
#include "engine/sms/ClientReceiptQueue.hpp"
#include "engine/sms/SmsConfig.hpp"
#include "smpp/MessageId.hpp"
#include "smpp/SmppService.hpp"
#include "smpp/TokenBucket.hpp"
#include "storage/Storage.hpp"

namespace ussdgw::sms {

class SmppSmsIngress {
  public:
    struct Stats {
        std::uint64_t accepted = 0, refused = 0, throttled = 0, queue_full = 0;
        std::uint64_t receipts_sent = 0, receipts_acked = 0;
    };

    // `kick` asks the SMS service to send what is due (a message was accepted).
    SmppSmsIngress(boost::asio::io_context& io, const SmsConfig& config, storage::Storage& storage,
                   smpp::SmppService& smpp, std::function<void()> kick);
    ~SmppSmsIngress();
    SmppSmsIngress(const SmppSmsIngress&) = delete;
    SmppSmsIngress& operator=(const SmppSmsIngress&) = delete;

    // Whether listener account `system_id` has the sms role.
    bool serves(const std::string& system_id) const { return accounts_.contains(system_id); }
    // An SMS request of an account with the sms role: answered after the commit.
    void on_request(const smpp::PeerInfo& peer, const smpp::Pdu& request, smpp::SmppReply reply);
    // A session of the account bound or closed.
    void on_bind(const std::string& system_id);
    // A message became final: receipts may be due.
    void receipts_due();
    void stop();

    const Stats& stats() const { return stats_; }

  private:
    struct Account {
        const smpp::AccountConfig* config = nullptr;
        smpp::TokenBucket bucket;
    };
    void perform(ClientReceiptQueue::Actions actions);
    void send_receipt(const std::string& account, const storage::ClientReceipt& r);
    void schedule();

    boost::asio::io_context& io_;
    storage::Storage& storage_;
    smpp::SmppService& smpp_;
    std::function<void()> kick_;
    std::map<std::string, Account> accounts_;
    smpp::MessageIdGenerator ids_;
    ClientReceiptQueue queue_;
    boost::asio::steady_timer timer_;
    bool stopped_ = false;
    Stats stats_;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::sms
