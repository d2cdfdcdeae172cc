#include "engine/Engine.hpp"

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "engine/EngineMetrics.hpp"
#include "engine/base/Log.hpp"
#include "engine/http/StaticFiles.hpp"

namespace ussdgw {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// A data_sm carries the same addressing and TLVs as a deliver_sm; read both alike.
smpp::ShortMessage as_short_message(const smpp::DataSm& d) {
    smpp::ShortMessage sm;
    sm.service_type = d.service_type;
    sm.source = d.source;
    sm.destination = d.destination;
    sm.esm_class = d.esm_class;
    sm.registered_delivery = d.registered_delivery;
    sm.data_coding = d.data_coding;
    sm.tlvs = d.tlvs;
    return sm;
}

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
    : io_(io),
      cfg_(std::move(cfg)),
      menus_(cfg_.menus.directory),
      ussd_timer_(io),
      sms_timer_(io) {}

Engine::~Engine() {
    *alive_ = false;
}

void Engine::start() {
    auto loaded = menus_.reload();
    if (!loaded)
        throw std::runtime_error("menus in " + cfg_.menus.directory + " are not valid:\n" +
                                 join_errors(loaded.error()));

    auto post = [this, alive = std::weak_ptr<bool>(alive_)](std::function<void()> fn) {
        asio::post(io_, [alive, fn = std::move(fn)] {
            if (alive.lock()) fn();
        });
    };
    auto opened = storage::Storage::open(cfg_.storage, post);
    if (!opened)
        throw std::runtime_error("storage " + cfg_.storage.database_path + ": " +
                                 opened.error().message);
    storage_ = std::move(*opened);
    bridge_ = std::make_unique<cabinet::CabinetBridge>(storage_->cabinet(), storage::Channel::ussd);
    gateway_ = std::make_unique<ussd::UssdGateway>(
        [this] { return menus_.current(); }, cfg_.menus.dialogue,
        [this](const std::string& link) -> const ussd::UssdProfile& {
            return cfg_.ussd.profile(link);
        },
        [this](const std::string& msisdn) -> std::string {
            // A read on the loop thread's own connection: a few microseconds.
            auto m = storage::Msisdn::parse(msisdn);
            if (!m) return {};
            auto rec = storage_->find(*m);
            return rec && *rec ? (*rec)->subscriber.language : std::string();
        });
    sms_ = std::make_unique<sms::SmsSender>(
        cfg_.sms, *storage_,
        [this](smpp::SubmitSm sm, std::function<void(sms::PartOutcome)> done) {
            submit_sms_part(std::move(sm), std::move(done));
        },
        [] { return Clock::now(); });
    smpp_ = std::make_unique<smpp::SmppService>(io_, cfg_.smpp, *this);
    add_engine_metrics(metrics_, *this);
    http::add_ops_routes(router_,
                         {[this] { return metrics_.render(); }, [this] { return readiness(); }});
    if (cfg_.api.enabled) {
        api_ =
            std::make_unique<api::CabinetApi>(io_, cfg_.api, cfg_.menus.dialogue.default_language,
                                              *storage_, post, [this] { poll_sms(); });
        api_->start();
        api_->add_routes(router_);
    }
    http::add_static_routes(router_, cfg_.web.directory);
    if (cfg_.http.enabled) {
        http_ = std::make_unique<http::HttpServer>(io_, cfg_.http, router_, metrics_);
        http_->start();
    }
    smpp_->start();
    schedule_sms_poll();
    log::info("engine.ready", "database", cfg_.storage.database_path, "sms_link", cfg_.sms.link);
}

void Engine::stop(std::function<void()> done) {
    if (stopping_) return;
    stopping_ = true;
    ussd_timer_.cancel();
    sms_timer_.cancel();
    if (api_) api_->stop();
    if (gateway_) {
        ussd::UssdGateway::Actions actions;
        gateway_->shutdown(Clock::now(), actions);
        actions.performs.clear();
        run(actions);
    }
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
    if (bound && link == cfg_.sms.link) poll_sms();
}

void Engine::on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                             smpp::SmppReply reply) {
    // deliver_sm is read in place; a data_sm is first put in the same shape.
    smpp::ShortMessage from_data_sm;
    const smpp::ShortMessage* found = std::get_if<smpp::DeliverSm>(&request.body);
    if (const auto* ds = std::get_if<smpp::DataSm>(&request.body)) {
        from_data_sm = as_short_message(*ds);
        found = &from_data_sm;
    }
    if (!found) {
        reply.accept();
        return;
    }
    const smpp::ShortMessage& sm = *found;
    // Receipts for the SMS we sent.
    if (sms_ && sms_->on_receipt(sm)) {
        reply.accept();
        return;
    }
    if (!sm.tlvs.ussd_service_op) {
        // A mobile-originated SMS: nothing here serves it; accepted so the SMSC does not retry.
        log::info("sms.mo_ignored", "link", peer.link, "from", sm.source.address);
        reply.accept();
        return;
    }
    reply.accept();  // deliver_sm_resp first; the dialogue's answer follows as submit_sm
    if (stopping_ || !gateway_) return;
    ussd::UssdGateway::Actions actions;
    auto st = gateway_->on_request(peer.link, sm, Clock::now(), actions);
    if (!st) log::warn("ussd.bad_request", "link", peer.link, "error", st.error().message);
    run(actions);
}

void Engine::on_server_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                               smpp::SmppReply reply) {
    // The listener's accounts get their USSD and SMS service later; until then every request
    // is refused for good rather than accepted and dropped (see [[smpp.server.account]] roles).
    log::limited(log::Level::warn, "smpp.request_refused", "account", peer.link, "peer",
                 peer.address, "command", smpp::command_name(request.command_id()), "needs",
                 smpp::required_role(request), "reason", "not_served");
    reply.reject(smpp::kNotServed);
}

void Engine::run(ussd::UssdGateway::Actions& actions) {
    for (auto& r : actions.replies) {
        smpp::SmppClientLink* link = smpp_ ? smpp_->link(r.link) : nullptr;
        if (!link) {
            log::error("ussd.no_link", "link", r.link);
            continue;
        }
        link->submit(std::move(r.pdu), [name = r.link](smpp::RequestOutcome& o) {
            if (!o.ok())
                log::warn("ussd.reply_failed", "link", name, "kind",
                          o.kind == smpp::RequestOutcome::Kind::response  ? "refused"
                          : o.kind == smpp::RequestOutcome::Kind::timeout ? "timeout"
                                                                          : "not_sent",
                          "status", o.status);
        });
    }
    for (auto& p : actions.performs) {
        bool kicks_sms = p.request.kind == menus::ActionKind::issue_password;
        bridge_->perform(p.request, [this, dialogue = p.dialogue, id = p.request.id,
                                     kicks_sms](menus::ActionResult result) {
            if (kicks_sms && result.outcome == menus::outcome::ok) poll_sms();
            ussd::UssdGateway::Actions next;
            gateway_->on_action_result(dialogue, id, result, Clock::now(), next);
            run(next);
        });
    }
    arm_ussd_timer();
}

void Engine::arm_ussd_timer() {
    auto next = gateway_ ? gateway_->next_deadline() : std::nullopt;
    if (!next || stopping_) return;
    ussd_timer_.expires_at(*next);
    ussd_timer_.async_wait(
        [this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
            if (ec || !alive.lock() || stopping_) return;
            ussd::UssdGateway::Actions actions;
            gateway_->on_timer(Clock::now(), actions);
            run(actions);
        });
}

void Engine::schedule_sms_poll() {
    if (stopping_) return;
    sms_timer_.expires_after(cfg_.sms.poll_interval);
    sms_timer_.async_wait(
        [this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
            if (ec || !alive.lock() || stopping_) return;
            poll_sms();
            schedule_sms_poll();
        });
}

void Engine::poll_sms() {
    // Messages are claimed only while their link is bound, so an outage costs no attempts.
    smpp::SmppClientLink* link = smpp_ ? smpp_->link(cfg_.sms.link) : nullptr;
    if (sms_ && link && link->bound() && !stopping_) sms_->poll();
}

void Engine::submit_sms_part(smpp::SubmitSm sm, std::function<void(sms::PartOutcome)> done) {
    smpp::SmppClientLink* link = smpp_ ? smpp_->link(cfg_.sms.link) : nullptr;
    if (!link) {
        done({sms::PartOutcome::Kind::no_answer, 0, {}, "no link " + cfg_.sms.link});
        return;
    }
    link->submit(std::move(sm), [done = std::move(done)](smpp::RequestOutcome& o) {
        sms::PartOutcome out;
        if (o.kind == smpp::RequestOutcome::Kind::response) {
            if (o.status == smpp::status::ok) {
                out.kind = sms::PartOutcome::Kind::accepted;
                out.message_id = o.message_id();
            } else {
                out.kind = sms::PartOutcome::Kind::refused;
                out.status = o.status;
            }
        } else if (o.kind == smpp::RequestOutcome::Kind::timeout) {
            out.detail = "response timeout";
        } else {
            out.detail = std::string("not sent: ") + smpp::send_error_name(o.send_error);
        }
        done(std::move(out));
    });
}

}  // namespace ussdgw
