// SmppServer: the SMSC-role listener. Accepts TCP connections, authenticates binds against
// the configured accounts (system_id, password, allowed peer IPs, bind types, max binds per
// account), hands received submit_sm / data_sm / deliver_sm to the application's
// on_server_request when the account has the role the request needs (else refuses it
// kNotServed, logged), reports bound sessions to on_server_bind, and lets the application
// send deliver_sm / data_sm to a bound receiver or transceiver of an account.
//
// Limits. Connections that have not bound yet have their own budget, overall (max_unbound)
// and per peer address (max_unbound_per_address): when it is full, the OLDEST unbound
// connection is closed to make room, so idle connections cannot lock the listener and the
// max_connections - max_unbound slots left are always there for bound sessions (a new
// connection is refused only when bound sessions fill max_connections). Silent peers are
// closed after the bind timeout. Every refused bind is answered ESME_RBINDFAIL, whatever the
// reason (unknown system_id, wrong password, address or bind type not allowed, max_binds,
// locked out), so that answers tell a guesser nothing; the reason goes to the log. Repeated
// failures slow down and then lock out binds from an address and for an account
// (BindGuard). Refusals and evictions are logged through the rate-limited log. Received
// requests beyond the session's receive window or the account's throughput are answered
// ESME_RTHROTTLED. Single-threaded: use it from the io_context's thread only.
// Shared-owned (see SmppConnection.hpp for the layer's idioms).
//
//   auto server = SmppServer::create(io, config, app);   // config.port 0 = ephemeral
//   server->start();                          // throws std::runtime_error if it cannot listen
//   server->port();                           // the bound port
//   server->stop([]{ /* every session unbound and closed */ });
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "smpp/BindGuard.hpp"
#include "smpp/SmppApplication.hpp"
#include "smpp/SmppConfig.hpp"
#include "smpp/SmppConnection.hpp"

namespace ussdgw::smpp {

class SmppServer final : public std::enable_shared_from_this<SmppServer>,
                         public SmppConnection::Owner {
  public:
    struct Stats {
        std::uint64_t accepted = 0, refused_connections = 0, evicted = 0, binds = 0,
                      bind_failures = 0;
    };

    // `app` must outlive the server.
    static std::shared_ptr<SmppServer> create(asio::io_context& io, ServerConfig config,
                                              SmppApplication& app);
    ~SmppServer();
    SmppServer(const SmppServer&) = delete;
    SmppServer& operator=(const SmppServer&) = delete;

    // Opens the listener (throws std::runtime_error naming the address when it cannot).
    void start();
    std::uint16_t port() const { return port_; }
    // Stops accepting, unbinds every bound session, closes the rest; `done` runs once all
    // connections are closed (bounded by the unbind timeout plus a grace period).
    void stop(std::function<void()> done = {});

    // Sends deliver_sm / data_sm to a bound receiver/transceiver of account `system_id`:
    // session `prefer` (a connection id) while it is one of them, else round robin over its
    // sessions. Errors: not_bound (no such session), window_full, ...; the callback runs only
    // for a request that was sent.
    SendResult send_to(const std::string& system_id, PduBody body, ResponseCallback callback,
                       std::uint64_t prefer = 0);
    // Bound receiver / transceiver sessions of account `system_id` (those send_to can use).
    std::size_t receivers(const std::string& system_id) const;

    std::size_t connection_count() const { return connections_.size(); }
    std::size_t unbound_count() const { return unbound_.size(); }
    std::size_t bound_count(const std::string& system_id) const;
    const Stats& stats() const { return stats_; }
    // PDUs of every session of this listener, by direction, command and status.
    const PduTally& pdu_tally() const { return *tally_; }
    const ServerConfig& config() const { return config_; }

  private:
    SmppServer(asio::io_context& io, ServerConfig config, SmppApplication& app);
    // SmppConnection::Owner
    void on_session_event(SmppConnection& c, const SessionEvent& e) override;
    void on_request(SmppConnection& c, const Pdu& request, SmppReply reply) override;
    void on_finished(SmppConnection& c) override;

    struct Entry {
        std::shared_ptr<SmppConnection> conn;
        std::string ip;
    };
    void do_accept();
    void admit(asio::ip::tcp::socket sock);
    void leave_unbound(std::uint64_t id, const std::string& ip);
    void evict(std::uint64_t id, const char* why);
    void forget(std::uint64_t id);
    BindVerdict authenticate(const BindRequest& req, const std::string& peer_ip, TimePoint now);
    void check_stopped();

    asio::io_context& io_;
    ServerConfig config_;
    SmppApplication& app_;
    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer stop_timer_;
    asio::steady_timer accept_retry_;
    std::uint16_t port_ = 0;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, Entry> connections_;  // by id: the oldest first
    std::set<std::uint64_t> unbound_;             // not bound yet, the oldest first
    std::unordered_map<std::string, std::set<std::uint64_t>> unbound_by_ip_;
    BindGuard guard_;
    std::map<std::string, std::uint32_t, std::less<>> binds_per_account_;
    std::size_t round_robin_ = 0;
    bool stopping_ = false;
    std::function<void()> stop_done_;
    Stats stats_;
    std::shared_ptr<PduTally> tally_ = std::make_shared<PduTally>();
};

}  // namespace ussdgw::smpp
