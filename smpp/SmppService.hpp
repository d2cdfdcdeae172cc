// SmppService: every configured SMPP endpoint of the engine in one object — the client links
// ([[smpp.client]]) and the server listener ([smpp.server]) — wired to one
// `SmppApplication`, which is where the engine (the USSD gateway, the SMS outbox) plugs in.
//
//   struct MyApp : smpp::SmppApplication {
//       void on_link_request(const PeerInfo& p, const Pdu& req, SmppReply r) override {
//           // a deliver_sm from link p.link: answer now or later (r is copyable)
//       }
//   };
//   MyApp app;
//   smpp::SmppService smpp(io, config.smpp, app);
//   smpp.start();
//   smpp.link("ussdc")->submit(sm, callback);
//   smpp.stop([&] { io.stop(); });   // clean unbind everywhere, bounded in time
//
// Single-threaded like the classes it owns: use it on the io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smpp/SmppClientLink.hpp"
#include "smpp/SmppConfig.hpp"
#include "smpp/SmppServer.hpp"

namespace ussdgw::smpp {

// The application side of the SMPP layer. The defaults accept deliver_sm/data_sm on client
// links (empty message_id) and refuse what reaches the server (kNotServed).
class SmppApplication {
  public:
    virtual ~SmppApplication() = default;
    // deliver_sm / data_sm received on client link `peer.link`.
    virtual void on_link_request(const PeerInfo& peer, const Pdu& request, SmppReply reply);
    // submit_sm / data_sm / deliver_sm received by the server from account `peer.link`, when
    // the account has the role the request needs (see required_role).
    virtual void on_server_request(const PeerInfo& peer, const Pdu& request, SmppReply reply);
    // Client link `link` bound (true) or lost its bind (false).
    virtual void on_link_state(const std::string& link, bool bound);
    // A server session of account `peer.link` bound (true) or closed (false).
    virtual void on_server_bind(const PeerInfo& peer, BindType type, bool bound);
};

class SmppService {
  public:
    // `app` must outlive the service.
    SmppService(asio::io_context& io, SmppConfig config, SmppApplication& app);
    ~SmppService();

    // Opens the server listener (throws std::runtime_error if it cannot) and starts every
    // client link (they connect and reconnect on their own).
    void start();
    // Unbinds everything and closes; `done` runs when all links and the server are closed.
    void stop(std::function<void()> done);

    SmppClientLink* link(std::string_view name);
    // The first bound link carrying `role` in its roles (else the first link with it).
    SmppClientLink* link_for_role(std::string_view role);
    const std::vector<std::unique_ptr<SmppClientLink>>& links() const { return links_; }
    SmppServer* server() { return server_.get(); }  // null when [smpp.server] is disabled
    const SmppConfig& config() const { return config_; }

  private:
    asio::io_context& io_;
    SmppConfig config_;
    SmppApplication& app_;
    std::vector<std::unique_ptr<SmppClientLink>> links_;
    std::unique_ptr<SmppServer> server_;
};

}  // namespace ussdgw::smpp
