// SmppServer: the SMSC-role listener. Accepts TCP connections, authenticates binds against
// the configured accounts (system_id, password, allowed peer IPs, bind types, max binds per
// account), hands received submit_sm / data_sm / deliver_sm to the application's
// `on_request` (default: accept with a generated message_id), and lets the application send
// deliver_sm / data_sm to a bound receiver or transceiver of an account.
//
// Limits: max_connections (more are closed at once), a bind timeout for silent peers, the
// session window (received requests beyond it are answered ESME_RTHROTTLED) and the
// account's throughput. Single-threaded: use it from the io_context's thread only.
//
//   SmppServer server(io, config);             // config.port 0 = ephemeral
//   server.start();                            // throws std::runtime_error if it cannot listen
//   server.port();                             // the bound port
//   server.stop([]{ /* every session unbound and closed */ });
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "smpp/SmppConfig.hpp"
#include "smpp/SmppConnection.hpp"

namespace ussdgw::smpp {

class SmppServer {
  public:
    struct Handlers {
        RequestHandler on_request;  // empty: accept everything with a generated message_id
        // A session bound (true) or closed after being bound (false).
        std::function<void(const PeerInfo&, BindType, bool bound)> on_bind_change;
    };
    struct Stats {
        std::uint64_t accepted = 0, refused_connections = 0, binds = 0, bind_failures = 0;
    };

    SmppServer(asio::io_context& io, ServerConfig config, Handlers handlers = {});
    ~SmppServer();
    SmppServer(const SmppServer&) = delete;
    SmppServer& operator=(const SmppServer&) = delete;

    // Opens the listener (throws std::runtime_error naming the address when it cannot).
    void start();
    std::uint16_t port() const { return port_; }
    // Stops accepting, unbinds every bound session, closes the rest; `done` runs once all
    // connections are closed (bounded by the unbind timeout plus a grace period).
    void stop(std::function<void()> done = {});

    // Sends deliver_sm / data_sm to a bound receiver/transceiver of account `system_id`
    // (round robin over its sessions). Errors: not_bound (no such session), window_full, ...
    SendResult send_to(const std::string& system_id, PduBody body, ResponseCallback callback);

    std::size_t connection_count() const { return connections_.size(); }
    std::size_t bound_count(const std::string& system_id) const;
    const Stats& stats() const { return stats_; }
    // PDUs of every session of this listener, by direction, command and status.
    const PduTally& pdu_tally() const { return *tally_; }
    const ServerConfig& config() const { return config_; }

  private:
    void do_accept();
    BindVerdict authenticate(const BindRequest& req, const std::string& peer_ip);
    void on_event(SmppConnection& c, const SessionEvent& e);
    void on_finished(SmppConnection& c);
    void check_stopped();

    asio::io_context& io_;
    ServerConfig config_;
    Handlers handlers_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer stop_timer_;
    asio::steady_timer accept_retry_;
    std::uint16_t port_ = 0;
    std::uint64_t next_id_ = 1;
    std::uint64_t next_message_id_ = 1;
    std::unordered_map<std::uint64_t, std::shared_ptr<SmppConnection>> connections_;
    std::map<std::string, std::uint32_t, std::less<>> binds_per_account_;
    std::size_t round_robin_ = 0;
    bool stopping_ = false;
    std::function<void()> stop_done_;
    Stats stats_;
    std::shared_ptr<PduTally> tally_ = std::make_shared<PduTally>();
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ussdgw::smpp
