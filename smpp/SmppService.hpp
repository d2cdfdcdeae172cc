// SmppService: every configured SMPP endpoint of the engine in one object — the client links
// ([[smpp.client]]) and the server listener ([smpp.server]) — reporting to one
// `SmppApplication` (SmppApplication.hpp), which is where the engine (the USSD gateway, the
// SMS outbox) plugs in.
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

#include "smpp/SmppApplication.hpp"
#include "smpp/SmppClientLink.hpp"
#include "smpp/SmppConfig.hpp"
#include "smpp/SmppServer.hpp"

namespace ussdgw::smpp {

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
    const std::vector<std::shared_ptr<SmppClientLink>>& links() const { return links_; }
    SmppServer* server() { return server_.get(); }  // null when [smpp.server] is disabled
    const SmppConfig& config() const { return config_; }

  private:
    asio::io_context& io_;
    SmppConfig config_;
    std::vector<std::shared_ptr<SmppClientLink>> links_;
    std::shared_ptr<SmppServer> server_;
};

}  // namespace ussdgw::smpp
