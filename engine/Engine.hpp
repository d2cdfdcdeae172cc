// engine/: the running gateway. `Engine` owns every layer on its main Asio event loop and
// wires them; it keeps routing and lifetimes only. The layers: the storage (completions
// posted back to the loop), the menu registry (reloaded on SIGHUP), the SMPP links and
// listener (smpp::SmppService), the USSD core wired to them (UssdStack: engine/ussd's
// UssdService with the SMPP ingress, and the cabinet bridge that performs menu actions on
// storage, engine/cabinet), the link loops ([ussd] loop_threads: the ussd-only client links
// spread over threads, each with a UssdStack of its own; LinkLoop.hpp), the SMS service that
// drains the outbox over the SMS links
// (engine/sms), and the HTTP server (engine/http) with its router, where the operations
// routes, the cabinet API (engine/api) and the web page's files live. As the SMPP
// application it routes each request: delivery receipts to the SMS service, USSD to the
// SMPP ingress, an integrator's SMS (a listener account with the sms role) to the SMS
// ingress (engine/sms/SmppSmsIngress), anything else is accepted and logged (client links)
// or refused (the listener). It owns the metrics registry;
// EngineMetrics reads every layer's stats into it at scrape time. Configuration is
// engine/config; the command line is engine/cli.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "engine/LinkLoop.hpp"
#include "engine/UssdStack.hpp"
#include "engine/api/CabinetApi.hpp"
#include "engine/base/Lifetime.hpp"
#include "engine/base/Metrics.hpp"
#include "engine/config/EngineConfig.hpp"
#include "engine/http/HttpServer.hpp"
#include "engine/http/OpsRoutes.hpp"
#include "engine/http/Router.hpp"
#include "engine/http/ussd/HttpUssdIngress.hpp"
#include "engine/sms/SmppSmsIngress.hpp"
#include "engine/sms/SmsService.hpp"
#include "menus/MenuRegistry.hpp"
#include "smpp/SmppService.hpp"
#include "storage/Storage.hpp"

namespace ussdgw {

class Engine : public smpp::SmppApplication {
  public:
    Engine(boost::asio::io_context& io, config::EngineConfig cfg);
    ~Engine() override;

    // Opens storage, loads the menus, opens the HTTP listeners, starts the SMPP links and
    // listener and the timers. Throws std::runtime_error naming what failed (start-up errors).
    void start();
    // Stops accepting HTTP (requests in flight finish), ends open dialogues (final screens),
    // unbinds every link; `done` runs when all is closed. Call it once: a second call does
    // nothing, and its `done` never runs.
    void stop(std::function<void()> done);
    // Loads the menu directory again; dialogues in flight keep the version they began on.
    Status reload_menus();

    smpp::SmppService& smpp() { return *smpp_; }
    storage::Storage& storage() { return *storage_; }
    // The main loop's USSD core (the listener's accounts, USSD over HTTP, and the client links
    // that are not spread over link loops).
    ussd::UssdService& ussd() { return ussd_->service(); }
    UssdStack& ussd_stack() { return *ussd_; }
    // The link loops ([ussd] loop_threads), each serving some ussd-only client links.
    const std::vector<std::unique_ptr<LinkLoop>>& link_loops() const { return loops_; }
    sms::SmsService& sms() { return *sms_; }
    sms::SmppSmsIngress& sms_ingress() { return *sms_ingress_; }
    // Routes added here before or after start() are served (on the loop thread only).
    http::Router& http_router() { return router_; }
    http::HttpServer* http() { return http_.get(); }  // null when [http] enabled = false
    api::CabinetApi* api() { return api_.get(); }     // null when [api] enabled = false
    metrics::Registry& metrics() { return metrics_; }
    // What /readyz reports: database, menus, required SMPP links, not shutting down.
    std::vector<http::ReadinessCheck> readiness();
    const config::EngineConfig& config() const { return cfg_; }

    void on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                         smpp::SmppReply reply) override;
    void on_link_state(const std::string& link, bool bound) override;
    void on_server_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                           smpp::SmppReply reply) override;
    void on_server_bind(const smpp::PeerInfo& peer, smpp::BindType type, bool bound) override;

  private:
    // Moves the ussd-only client links out of `main` into link loops ([ussd] loop_threads),
    // started at the end of start().
    void spread_link_loops(smpp::SmppConfig& main, const storage::Post& to_main);
    UssdStack::Wiring ussd_wiring();
    void start_http_ussd();
    boost::asio::io_context& io_;
    config::EngineConfig cfg_;
    metrics::Registry metrics_{"ussdgw_"};
    http::Router router_;
    // Before storage_: destroyed after it, so the storage's last changes (run as it closes)
    // still find the API's storage facade.
    std::unique_ptr<api::CabinetApi> api_;
    std::unique_ptr<storage::Storage> storage_;
    menus::MenuRegistry menus_;
    std::unique_ptr<smpp::SmppService> smpp_;
    std::unique_ptr<UssdStack> ussd_;
    std::unique_ptr<http::HttpUssdIngress> http_ussd_;  // [[ussd.http]] accounts
    std::unique_ptr<sms::SmsService> sms_;
    std::unique_ptr<sms::SmppSmsIngress> sms_ingress_;  // listener accounts with the sms role
    std::unique_ptr<http::HttpServer> http_;
    // After storage_: a loop's thread ends before the storage closes (LinkLoop.hpp).
    std::vector<std::unique_ptr<LinkLoop>> loops_;
    bool stopping_ = false;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw
