// SmppClientLink: one outgoing ESME link. Connects to host:port, binds (transmitter,
// receiver or transceiver), keeps the link alive (enquire_link), and reconnects with
// exponential backoff (reconnect_min doubling up to reconnect_max, with jitter) whenever the
// connection or the bind fails. Backoff resets after a successful bind.
//
// `submit` sends submit_sm / data_sm (or any request the bind allows) within the window and
// throughput limit; requests that do not fit wait in a bounded queue (queue_limit), and the
// callback always runs exactly once (response, timeout, link lost, or not sent). Received
// deliver_sm / data_sm go to `on_request`, which answers through its SmppReply, now or later
// (a USSD application answers when the dialogue step is done). Single-threaded: call it on
// the io_context's thread.
//
//   SmppClientLink link(io, config, {.on_request = ..., .on_state = ...});
//   link.start();
//   link.submit(sm, [](RequestOutcome& r) { if (r.ok()) use(r.message_id()); });
//   link.stop([] { /* unbound and closed */ });
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "smpp/SmppConfig.hpp"
#include "smpp/SmppConnection.hpp"

namespace ussdgw::smpp {

class SmppClientLink {
  public:
    struct Handlers {
        RequestHandler on_request;  // empty: deliver_sm/data_sm are accepted (message_id "")
        std::function<void(bool bound)> on_state;  // bound / lost the bind
    };
    struct Stats {
        std::uint64_t connects = 0, binds = 0, bind_failures = 0, submitted = 0, queued = 0;
        std::uint64_t refused = 0;  // submits failed at once (not bound, queue full, invalid)
    };

    SmppClientLink(asio::io_context& io, ClientLinkConfig config, Handlers handlers = {});
    ~SmppClientLink();
    SmppClientLink(const SmppClientLink&) = delete;
    SmppClientLink& operator=(const SmppClientLink&) = delete;

    void start();
    // Unbinds (bounded by the unbind timeout), stops reconnecting; `done` runs when closed.
    void stop(std::function<void()> done = {});

    // Sends a request; see the header comment. Never calls `callback` before returning.
    void submit(PduBody body, ResponseCallback callback);

    const std::string& name() const { return config_.name; }
    const ClientLinkConfig& config() const { return config_; }
    bool bound() const;
    std::uint32_t outstanding() const;  // requests sent and not yet answered
    std::size_t queued() const { return queue_.size(); }
    const Stats& stats() const { return stats_; }
    // PDUs of every connection of this link, by direction, command and status.
    const PduTally& pdu_tally() const { return *tally_; }
    // The delay before reconnect attempt `attempt` (0-based): exponential, capped, jittered.
    std::chrono::milliseconds backoff(std::uint32_t attempt);

  private:
    struct Queued {
        PduBody body;
        ResponseCallback callback;
    };
    void connect();
    void on_connected(asio::ip::tcp::socket socket);
    void schedule_reconnect(const char* why);
    void on_event(SmppConnection& c, const SessionEvent& e);
    void on_finished(SmppConnection& c);
    void flush_queue(SmppConnection& c);
    void fail_later(ResponseCallback cb, SendError err);
    void fail_queue(SendError err);

    asio::io_context& io_;
    ClientLinkConfig config_;
    Handlers handlers_;
    asio::ip::tcp::resolver resolver_;
    asio::steady_timer retry_timer_;
    std::shared_ptr<asio::ip::tcp::socket> connecting_;
    std::shared_ptr<SmppConnection> conn_;
    std::deque<Queued> queue_;
    std::uint32_t attempt_ = 0;
    bool running_ = false;
    bool stopping_ = false;
    bool was_bound_ = false;
    std::function<void()> stop_done_;
    std::minstd_rand rng_;
    Stats stats_;
    std::shared_ptr<PduTally> tally_ = std::make_shared<PduTally>();
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ussdgw::smpp
