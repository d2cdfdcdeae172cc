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
    bridge_ = std::make_unique<cabinet::CabinetBridge>(storage_->cabinet(), storage::Channel::ussd);
    ussd::UssdDialogues dialogues(
        [this] { return menus_.current(); }, cfg_.menus.dialogue,
        [this](const std::string& msisdn) { return subscriber_language(msisdn); });
    ussd_ = std::make_unique<ussd::UssdService>(
        io_, std::move(dialogues),
        [this](const menus::ActionRequest& r, std::function<void(menus::ActionResult)> done) {
            bridge_->perform(r, std::move(done));
        },
        [this] {
            if (sms_) sms_->kick();
        });
    smpp_ = std::make_unique<smpp::SmppService>(io_, cfg_.smpp, *this);
    ussd::SmppUssdIngress::Transport transport;
    transport.to_link = [this](const std::string& name, smpp::SubmitSm sm) {
        smpp::SmppClientLink* link = smpp_->link(name);
        if (!link) {
            log::error("ussd.no_link", "link", name);
            return;
        }
        link->submit(std::move(sm), [name](smpp::RequestOutcome& o) {
            if (!o.ok())
                log::warn("ussd.reply_failed", "link", name, "kind",
                          o.kind == smpp::RequestOutcome::Kind::response  ? "refused"
                          : o.kind == smpp::RequestOutcome::Kind::timeout ? "timeout"
                                                                          : "not_sent",
                          "status", o.status);
        });
    };
    transport.to_account = [this](const std::string& account, std::uint64_t connection,
                                  smpp::PduBody body) {
        smpp::SmppServer* server = smpp_->server();
        if (!server) return false;
        auto sent = server->send_to(
            account, std::move(body),
            [account](smpp::RequestOutcome& o) {
                if (!o.ok()) log::warn("ussd.reply_failed", "account", account, "status", o.status);
            },
            connection);
        if (!sent.ok())
            log::warn("ussd.reply_not_sent", "account", account, "error",
                      smpp::send_error_name(sent.error));
        return sent.ok();
    };
    smpp_ussd_ = std::make_unique<ussd::SmppUssdIngress>(*ussd_, cfg_.ussd, std::move(transport));
    auto has = [](const std::vector<std::string>& roles, const char* role) {
        return std::find(roles.begin(), roles.end(), role) != roles.end();
    };
    for (const auto& link : cfg_.smpp.clients)
        if (has(link.roles, "ussd")) smpp_ussd_->add_link(link.name);
    if (cfg_.smpp.server.enabled)
        for (const auto& account : cfg_.smpp.server.accounts)
            if (has(account.roles, "ussd")) smpp_ussd_->add_account(account.system_id);
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
    log::info("engine.ready", "database", cfg_.storage.database_path, "sms_routes",
              sms_->routes().size());
}

std::string Engine::subscriber_language(const std::string& msisdn) const {
    auto m = storage::Msisdn::parse(msisdn);
    if (!m) return {};
    auto rec = storage_->find(*m);
    return rec && *rec ? (*rec)->subscriber.language : std::string();
}

void Engine::start_http_ussd() {
    if (cfg_.ussd_http.empty()) return;
    http::UssdCorePort core{[this](const std::string& name, ussd::ScreenSink sink) {
                                ussd_->register_ingress(name, std::move(sink));
                            },
                            [this](const std::string& name) { ussd_->unregister_ingress(name); },
                            [this](ussd::UssdBegin e) { ussd_->begin(std::move(e)); },
                            [this](ussd::UssdAnswer e) { ussd_->answer(std::move(e)); },
                            [this](ussd::UssdRelease e) { ussd_->release(std::move(e)); }};
    // The ingress's own END texts, from the menus, in the subscriber's language.
    auto notice = [this](http::HttpUssdNotice n, const std::string& msisdn) -> std::string {
        auto set = menus_.current();
        if (!set) return {};
        const auto& text = n == http::HttpUssdNotice::try_later ? set->messages.service_unavailable
                                                                : set->messages.invalid_request;
        return set->local(text, set->language_for(subscriber_language(msisdn),
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
    // HTTP and SMPP close side by side; `done` runs after both.
    auto pending = std::make_shared<int>(2);
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
    if (!bound && server && smpp_ussd_ && server->receivers(peer.link) == 0)
        smpp_ussd_->on_account_unbound(peer.link);
}

void Engine::on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                             smpp::SmppReply reply) {
    smpp::ShortMessage buffer;
    const smpp::ShortMessage* sm = smpp::short_message_of(request, buffer);
    if (!sm) {
        reply.accept();
        return;
    }
    // Receipts for the SMS we sent.
    if (sms_ && sms_->on_receipt(*sm)) {
        reply.accept();
        return;
    }
    if (!sm->tlvs.ussd_service_op) {
        // A mobile-originated SMS: nothing here serves it; accepted so the SMSC does not retry.
        log::info("sms.mo_ignored", "link", peer.link, "from", sm->source.address);
        reply.accept();
        return;
    }
    reply.accept();  // deliver_sm_resp first; the dialogue's answer follows as submit_sm
    if (stopping_ || !smpp_ussd_) return;
    if (!smpp_ussd_->on_link_request(peer.link, *sm))
        log::limited(log::Level::warn, "ussd.not_served", "link", peer.link, "reason",
                     "the link has no ussd role");
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
    if (sm && sm->tlvs.ussd_service_op && smpp_ussd_ && !stopping_) {
        // The server let it through: the account has the ussd role. The answer follows as
        // deliver_sm (or data_sm) on this session.
        reply.accept();
        smpp_ussd_->on_account_request(peer.link, peer.connection_id, *sm);
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
