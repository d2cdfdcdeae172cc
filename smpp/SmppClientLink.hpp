// SmppClientLink: one outgoing ESME link. Connects to host:port, binds (transmitter,
// receiver or transceiver), keeps the link alive (enquire_link), and reconnects with
// exponential backoff (reconnect_min doubling up to reconnect_max, with jitter) whenever the
// connection or the bind fails. Backoff resets after a successful bind.
//
// `submit` sends submit_sm / data_sm (or any request the bind allows) within the window and
// throughput limit; requests that do not fit wait in a bounded queue (queue_limit), and the
// callback always runs exactly once (response, timeout, link lost, or not sent). Received
// deliver_sm / data_sm go to the application's on_link_request, which answers through its
// SmppReply, now or later; bind changes to on_link_state. Single-threaded: call it on the
// io_context's thread. Shared-owned (see SmppConnection.hpp for the layer's idioms).
//
//   auto link = SmppClientLink::create(io, config, app);
//   link->start();
//   link->submit(sm, [](RequestOutcome& r) { if (r.ok()) use(r.message_id()); });
//   link->stop([] { /* unbound and closed */ });
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "smpp/SmppApplication.hpp"
#include "smpp/SmppConfig.hpp"
#include "smpp/SmppConnection.hpp"

namespace ussdgw::smpp {

class SmppClientLink final : public std::enable_shared_from_this<SmppClientLink>,
                             public SmppConnection::Owner {
  public:
    struct Stats {
        std::uint64_t connects = 0, binds = 0, bind_failures = 0, submitted = 0, queued = 0;
        std::uint64_t refused = 0;  // submits failed at once (not bound, queue full, invalid)
    };

    // `app` must outlive the link.
    static std::shared_ptr<SmppClientLink> create(asio::io_context& io, ClientLinkConfig config,
                                                  SmppApplication& app);
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
    SmppClientLink(asio::io_context& io, ClientLinkConfig config, SmppApplication& app);
    // SmppConnection::Owner
    void on_session_event(SmppConnection& c, const SessionEvent& e) override;
    void on_request(SmppConnection& c, const Pdu& request, SmppReply reply) override;
    void on_ready(SmppConnection& c) override;
    void on_finished(SmppConnection& c) override;

    struct Queued {
        PduBody body;
        ResponseCallback callback;
    };
    void connect();
    void connect_to(asio::ip::tcp::resolver::results_type endpoints);
    void on_connected(asio::ip::tcp::socket socket);
    void schedule_reconnect(const char* why);
    void flush_queue(SmppConnection& c);
    void fail_later(ResponseCallback cb, SendError err);
    void fail_queue(SendError err);

    asio::io_context& io_;
    ClientLinkConfig config_;
    SmppApplication& app_;
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
};

}  // namespace ussdgw::smpp
