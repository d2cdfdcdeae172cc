// engine/sms: SmsService, the SMS sender's shell on the engine's event loop.
//
// It owns `SmsSender` (the outbox logic) and its poll timer, chooses the way each message
// leaves (SmsLinks.hpp: round robin over the bound client links with the "sms" role and the
// listener accounts with outgoing_sms; the parts of one message take the same way), sends
// its parts there (submit_sm on a link, deliver_sm to an account's session), and maps each
// part's SMPP outcome to the sender's `PartOutcome`. A part whose connection was lost while
// it waited for its answer is reported only once its response timeout has passed, and one
// whose response timed out only once its late window has passed (a late answer that comes
// meanwhile is the part's answer), so the outbox sends it again (on another way, when its
// own is down) only when the first send can no longer be answered. Messages are claimed only
// while some way is up, so an outage costs no attempts. Integrators' SMS (the listener's
// "sms" role) enter the same outbox through SmppSmsIngress, which also sends their receipts
// back; this service relays them like the engine's own (their parts: IntegratorSms.hpp) and
// reports each message that became final (on_final). Single-threaded: use it on the loop's
// thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/Lifetime.hpp"
#include "engine/sms/SmsLinks.hpp"
#include "engine/sms/SmsSender.hpp"
#include "smpp/SmppService.hpp"

namespace ussdgw::sms {

class SmsService {
  public:
    struct Stats {
        std::uint64_t held = 0;          // parts with no answer held until it could no longer come
        std::uint64_t late_answers = 0;  // answers taken after their response timeout
    };

    SmsService(boost::asio::io_context& io, SmsConfig config, storage::Storage& storage,
               smpp::SmppService& smpp);
    ~SmsService();
    SmsService(const SmsService&) = delete;
    SmsService& operator=(const SmsService&) = delete;

    void start();
    void stop();
    // Sends what is due now (a password was issued, a way came up).
    void kick();
    // A deliver_sm (or a listener request) that may be a delivery receipt: true when it was
    // one (applied durably).
    bool on_receipt(const smpp::ShortMessage& sm) { return sender_.on_receipt(sm); }
    // Whether account `system_id` of the listener takes SMS (its receipts come back too).
    bool serves_account(const std::string& system_id) const;
    // Runs when a message became final (an integrator's receipt may be due).
    void on_final(std::function<void()> fn) { sender_.on_final(std::move(fn)); }

    const SmsSender& sender() const { return sender_; }
    const std::vector<SmsRoute>& routes() const { return routes_; }
    const Stats& stats() const { return stats_; }
    // Parts answered per route (any answer), for metrics.
    const std::map<SmsRoute, std::uint64_t>& parts_sent() const { return parts_sent_; }

  private:
    struct Pin {
        SmsRoute route;
        int parts = 0;  // parts of the message on their way
    };
    void submit_part(std::int64_t outbox_id, smpp::SubmitSm sm,
                     std::function<void(PartOutcome)> done);
    std::vector<RouteState> states() const;
    bool any_up() const;
    std::chrono::milliseconds response_timeout(const SmsRoute& r) const;
    void schedule_poll();
    void part_answered(std::int64_t outbox_id, const SmsRoute& route);

    boost::asio::io_context& io_;
    smpp::SmppService& smpp_;
    SmsConfig config_;
    SmsSender sender_;
    std::vector<SmsRoute> routes_;
    SmsLinkChooser chooser_;
    std::map<std::int64_t, Pin> pinned_;
    std::map<SmsRoute, std::size_t> busy_;
    std::map<SmsRoute, std::uint64_t> parts_sent_;
    boost::asio::steady_timer poll_timer_;
    bool stopped_ = false;
    Stats stats_;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::sms
