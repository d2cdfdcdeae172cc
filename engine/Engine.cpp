#include "engine/Engine.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <stdexcept>

#include "engine/EngineMetrics.hpp"
#include "engine/base/Log.hpp"
#include "engine/http/StaticFiles.hpp"

namespace ussdgw {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

std::string join_errors(const std::vector<TomlError>& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) out += "\n";
        out += e.what();
    }
    return out;
}

}  // namespace

Engine::Engine(asio::io_context& io, config::EngineConfig cfg)
    : io_(io), cfg_(std::move(cfg)), menus_(cfg_.menus.directory) {}

Engine::~Engine() = default;

void Engine::start() {
    auto loaded = menus_.reload();
    if (!loaded)
        throw std::runtime_error("menus in " + cfg_.menus.directory + " are not valid:\n" +
                                 join_errors(loaded.error()));

    // Called on storage threads: the guard is made from a watch taken here, on the loop.
    auto post = [this, watch = lifetime_.watch()](std::function<void()> fn) {
        asio::post(io_, watch.guard(std::move(fn)));
    };
    auto opened = storage::Storage::open(cfg_.storage, post);
    if (!opened)
        throw std::runtime_error("storage " + cfg_.storage.database_path + ": " +
                                 opened.error().message);
    storage_ = std::move(*opened);
    smpp::SmppConfig main_smpp = cfg_.smpp;
    spread_link_loops(main_smpp, post);
    smpp_ = std::make_unique<smpp::SmppService>(io_, std::move(main_smpp), *this);
    ussd_ = std::make_unique<UssdStack>(io_, *smpp_, storage_->cabinet(), ussd_wiring());
    ussd_->add_smpp_ingresses();
    start_http_ussd();
    sms_ = std::make_unique<sms::SmsService>(io_, cfg_.sms, *storage_, *smpp_);
    sms_ingress_ = std::make_unique<sms::SmppSmsIngress>(io_, cfg_.sms, *storage_, *smpp_,
                                                         [this] { sms_->kick(); });
    sms_->on_final([this] { sms_ingress_->receipts_due(); });
    add_engine_metrics(metrics_, *this);
    http::add_ops_routes(router_,
                         {[this] { return metrics_.render(); }, [this] { return readiness(); }});
    if (cfg_.api.enabled) {
        api_ = std::make_unique<api::CabinetApi>(
            io_, cfg_.api, cfg_.menus.dialogue.default_language, *storage_, post, [this] {
                if (sms_) sms_->kick();
            });
        api_->start();
        api_->add_routes(router_);
    }
    http::add_static_routes(router_, cfg_.web.directory);
    if (cfg_.http.enabled) {
        http_ = std::make_unique<http::HttpServer>(io_, cfg_.http, router_, metrics_);
        http_->start();
    }
    smpp_->start();
    sms_->start();
    for (auto& loop : loops_)
        loop->start();
    log::info("engine.ready", "database", cfg_.storage.database_path, "sms_routes",
              sms_->routes().size());
}

UssdStack::Wiring Engine::ussd_wiring() {
    return {menus_, cfg_.menus.dialogue, cfg_.ussd, [this] {
                if (sms_) sms_->kick();
            }};
}

void Engine::spread_link_loops(smpp::SmppConfig& main, const storage::Post& to_main) {
    std::vector<std::vector<smpp::ClientLinkConfig>> spread;
    std::vector<smpp::ClientLinkConfig> kept;
    std::size_t next = 0;
    for (auto& link : main.clients) {
        bool ussd_only = link.roles == std::vector<std::string>{"ussd"};
        if (!ussd_only || cfg_.ussd.loop_threads == 0) {
            kept.push_back(std::move(link));
            continue;
        }
        if (spread.size() < cfg_.ussd.loop_threads) spread.emplace_back();
        spread[next++ % cfg_.ussd.loop_threads].push_back(std::move(link));
    }
    main.clients = std::move(kept);
    if (cfg_.ussd.loop_threads > 0 && spread.empty())
        log::warn("engine.no_loop_links", "loop_threads", cfg_.ussd.loop_threads, "reason",
                  "no [[smpp.client]] has the ussd role alone: every link stays on the main loop");
    for (std::size_t i = 0; i < spread.size(); ++i) {
        loops_.push_back(std::make_unique<LinkLoop>("loop" + std::to_string(i + 1),
                                                    std::move(spread[i]), *storage_, ussd_wiring(),
                                                    to_main));
    }
}

void Engine::start_http_ussd() {
    if (cfg_.ussd_http.empty()) return;
    http::UssdCorePort core{[this](const std::string& name, ussd::ScreenSink sink) {
                                ussd().register_ingress(name, std::move(sink));
                            },
                            [this](const std::string& name) { ussd().unregister_ingress(name); },
                            [this](ussd::UssdBegin e) { ussd().begin(std::move(e)); },
                            [this](ussd::UssdAnswer e) { ussd().answer(std::move(e)); },
                            [this](ussd::UssdRelease e) { ussd().release(std::move(e)); }};
    // The ingress's own END texts, from the menus, in the subscriber's language.
    auto notice = [this](http::HttpUssdNotice n, const std::string& msisdn) -> std::string {
        auto set = menus_.current();
        if (!set) return {};
        const auto& text = n == http::HttpUssdNotice::try_later ? set->messages.service_unavailable
                                                                : set->messages.invalid_request;
        return set->local(text, set->language_for(ussd_->language_of(msisdn),
                                                  cfg_.menus.dialogue.default_language));
    };
    http_ussd_ = std::make_unique<http::HttpUssdIngress>(io_, cfg_.ussd_http, std::move(core),
                                                         std::move(notice), metrics_);
    http_ussd_->start(router_);
}

void Engine::stop(std::function<void()> done) {
    if (stopping_) return;
    stopping_ = true;
    if (api_) api_->stop();
    if (sms_) sms_->stop();
    if (sms_ingress_) sms_ingress_->stop();
    if (http_ussd_) http_ussd_->stop();  // waiting aggregators get END "try later"
    if (ussd_) ussd_->shutdown();        // final screens go out before the links unbind
    // HTTP, SMPP and the link loops close side by side; `done` runs after all of them.
    auto pending = std::make_shared<std::size_t>(2 + loops_.size());
    auto one_closed = [pending, done = std::move(done)] {
        if (--*pending == 0 && done) done();
    };
    if (http_)
        http_->stop(one_closed);
    else
        one_closed();
    if (smpp_)
        smpp_->stop(one_closed);
    else
        one_closed();
    for (auto& loop : loops_)
        loop->stop(one_closed);
}

std::vector<http::ReadinessCheck> Engine::readiness() {
    std::vector<http::ReadinessCheck> checks;
    checks.push_back({"engine", !stopping_, stopping_ ? "shutting down" : "running"});
    if (!storage_) {
        checks.push_back({"database", false, "not open"});
    } else if (auto depth = storage_->outbox_depth(); !depth) {
        checks.push_back({"database", false, depth.error().message});
    } else {
        checks.push_back({"database", true, cfg_.storage.database_path});
    }
    auto set = menus_.current();
    checks.push_back(
        {"menus", set != nullptr, set ? "version " + std::to_string(set->version) : "not loaded"});
    for (const auto& c : cfg_.smpp.clients) {
        if (!c.required) continue;
        smpp::SmppClientLink* link = smpp_ ? smpp_->link(c.name) : nullptr;
        bool bound = link && link->bound();
        for (const auto& loop : loops_)
            if (loop->serves(c.name)) bound = loop->bound(c.name);
        checks.push_back({"smpp.link." + c.name, bound, bound ? "bound" : "not bound"});
    }
    return checks;
}

Status Engine::reload_menus() {
    auto loaded = menus_.reload();
    if (!loaded) {
        log::error("menus.reload_failed", "directory", cfg_.menus.directory, "errors",
                   join_errors(loaded.error()));
        return fail("menus.invalid", join_errors(loaded.error()));
    }
    log::info("menus.reloaded", "directory", cfg_.menus.directory, "version", *loaded);
    return ok_status();
}

void Engine::on_link_state(const std::string& link, bool bound) {
    log::info(bound ? "engine.link_up" : "engine.link_down", "link", link);
    if (bound && sms_) sms_->kick();
}

void Engine::on_server_bind(const smpp::PeerInfo& peer, smpp::BindType, bool bound) {
    if (bound && sms_ && sms_->serves_account(peer.link)) sms_->kick();
    if (sms_ingress_) sms_ingress_->on_bind(peer.link);
    // The account's last session that could take a reply is gone: its dialogues end.
    smpp::SmppServer* server = smpp_ ? smpp_->server() : nullptr;
    if (!bound && server && ussd_ && server->receivers(peer.link) == 0)
        ussd_->smpp_ingress().on_account_unbound(peer.link);
}

void Engine::on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                             smpp::SmppReply reply) {
    // Receipts for the SMS we sent go to the SMS service.
    ussd_->on_link_request(peer, request, std::move(reply), [this](const smpp::ShortMessage& sm) {
        return sms_ && sms_->on_receipt(sm);
    });
}

void Engine::on_server_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                               smpp::SmppReply reply) {
    smpp::ShortMessage buffer;
    const smpp::ShortMessage* sm = smpp::short_message_of(request, buffer);
    if (sm && smpp::carries_receipt(request) && sms_ && sms_->serves_account(peer.link) &&
        sms_->on_receipt(*sm)) {
        reply.accept();
        return;
    }
    if (sm && sm->tlvs.ussd_service_op && ussd_ && !stopping_) {
        // The server let it through: the account has the ussd role. The answer follows as
        // deliver_sm (or data_sm) on this session.
        reply.accept();
        ussd_->smpp_ingress().on_account_request(peer.link, peer.connection_id, *sm);
        return;
    }
    if (sm && sms_ingress_ && sms_ingress_->serves(peer.link)) {
        // An integrator's SMS: answered once it is committed (or refused).
        sms_ingress_->on_request(peer, request, std::move(reply));
        return;
    }
    // Nothing here serves it: refused for good rather than accepted and dropped.
    log::limited(log::Level::warn, "smpp.request_refused", "account", peer.link, "peer",
                 peer.address, "command", smpp::command_name(request.command_id()), "needs",
                 smpp::required_role(request), "reason", "not_served");
    reply.reject(smpp::kNotServed);
}

}  // namespace ussdgw
