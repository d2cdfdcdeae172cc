#include "engine/sms/SmsService.hpp"

#include <algorithm>
#include <utility>

#include "engine/base/Log.hpp"

namespace ussdgw::sms {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

PartOutcome part_outcome(const smpp::RequestOutcome& o) {
    PartOutcome out;
    if (o.kind == smpp::RequestOutcome::Kind::response) {
        if (o.status == smpp::status::ok) {
            out.kind = PartOutcome::Kind::accepted;
            out.message_id = o.message_id();
        } else {
            out.kind = PartOutcome::Kind::refused;
            out.status = o.status;
        }
    } else if (o.kind == smpp::RequestOutcome::Kind::timeout) {
        out.detail =
            o.close_reason == smpp::CloseReason::none
                ? std::string("response timeout")
                : std::string("connection lost: ") + smpp::close_reason_name(o.close_reason);
    } else {
        out.detail = std::string("not sent: ") + smpp::send_error_name(o.send_error);
    }
    return out;
}

NoAnswer no_answer_of(const smpp::RequestOutcome& o) {
    if (o.kind == smpp::RequestOutcome::Kind::not_sent) return NoAnswer::not_sent;
    return o.close_reason == smpp::CloseReason::none ? NoAnswer::timed_out
                                                     : NoAnswer::connection_lost;
}

}  // namespace

SmsService::SmsService(asio::io_context& io, SmsConfig config, storage::Storage& storage,
                       smpp::SmppService& smpp)
    : io_(io),
      smpp_(smpp),
      config_(config),
      sender_(
          std::move(config), storage,
          [this](std::int64_t id, smpp::SubmitSm sm, std::function<void(PartOutcome)> done) {
              submit_part(id, std::move(sm), std::move(done));
          },
          [] { return Clock::now(); }),
      poll_timer_(io) {
    for (const auto& link : smpp_.config().clients)
        if (std::find(link.roles.begin(), link.roles.end(), "sms") != link.roles.end())
            routes_.push_back(SmsRoute{SmsRoute::Kind::client_link, link.name});
    if (smpp_.config().server.enabled)
        for (const auto& a : smpp_.config().server.accounts)
            if (a.outgoing_sms) routes_.push_back(SmsRoute{SmsRoute::Kind::account, a.system_id});
}

SmsService::~SmsService() = default;

bool SmsService::serves_account(const std::string& system_id) const {
    return std::find(routes_.begin(), routes_.end(),
                     SmsRoute{SmsRoute::Kind::account, system_id}) != routes_.end();
}

void SmsService::start() {
    if (routes_.empty())
        log::warn("sms.no_route", "reason",
                  "no [[smpp.client]] has the sms role and no listener account has outgoing_sms: "
                  "password SMS wait in the outbox");
    schedule_poll();
}

void SmsService::stop() {
    stopped_ = true;
    poll_timer_.cancel();
}

std::vector<RouteState> SmsService::states() const {
    std::vector<RouteState> out;
    out.reserve(routes_.size());
    for (const auto& r : routes_) {
        RouteState s;
        s.route = r;
        auto busy = busy_.find(r);
        s.busy = busy == busy_.end() ? 0 : busy->second;
        if (r.kind == SmsRoute::Kind::client_link) {
            if (auto* link = smpp_.link(r.name)) {
                s.up = link->bound();
                s.room = link->config().window + link->config().queue_limit;
            }
        } else if (auto* server = smpp_.server()) {
            std::size_t sessions = server->receivers(r.name);
            s.up = sessions > 0;
            s.room = sessions * server->config().window;
        }
        out.push_back(std::move(s));
    }
    return out;
}

bool SmsService::any_up() const {
    auto s = states();
    return std::any_of(s.begin(), s.end(), [](const RouteState& r) { return r.up; });
}

std::chrono::milliseconds SmsService::response_timeout(const SmsRoute& r) const {
    if (r.kind == SmsRoute::Kind::client_link) {
        for (const auto& l : smpp_.config().clients)
            if (l.name == r.name) return l.timers.response_timeout;
    }
    return smpp_.config().server.timers.response_timeout;
}

void SmsService::schedule_poll() {
    if (stopped_) return;
    poll_timer_.expires_after(config_.poll_interval);
    poll_timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        kick();
        schedule_poll();
    }));
}

void SmsService::kick() {
    // Messages are claimed only while a way is up, so an outage costs no attempts.
    if (!stopped_ && any_up()) sender_.poll();
}

void SmsService::part_answered(std::int64_t outbox_id, const SmsRoute& route) {
    if (auto b = busy_.find(route); b != busy_.end() && b->second > 0) --b->second;
    ++parts_sent_[route];
    if (auto p = pinned_.find(outbox_id); p != pinned_.end() && --p->second.parts <= 0)
        pinned_.erase(p);
}

void SmsService::submit_part(std::int64_t outbox_id, smpp::SubmitSm sm,
                             std::function<void(PartOutcome)> done) {
    std::optional<SmsRoute> route;
    if (auto p = pinned_.find(outbox_id); p != pinned_.end()) route = p->second.route;
    if (!route) route = chooser_.choose(states());
    if (!route) {
        done({PartOutcome::Kind::no_answer, 0, {}, "no SMS link can take it"});
        return;
    }
    Pin& pin = pinned_[outbox_id];
    pin.route = *route;
    ++pin.parts;
    ++busy_[*route];
    auto sent_at = Clock::now();
    auto timeout = response_timeout(*route);
    // The part's outcome is reported once: its answer (perhaps a late one), or its lack of
    // one once the first send can no longer be answered. The SMPP callback may run twice (a
    // timeout, then the late answer), so what it shares lives here.
    struct Waiting {
        std::function<void(PartOutcome)> done;
        bool answered = false;
        void report(PartOutcome out) {
            if (auto d = std::exchange(done, nullptr)) d(std::move(out));
        }
    };
    auto waiting = std::make_shared<Waiting>();
    waiting->done = std::move(done);
    auto finish = lifetime_.guard([this, outbox_id, route = *route, sent_at, timeout,
                                   waiting](smpp::RequestOutcome& o) {
        if (!waiting->done) return;
        if (!std::exchange(waiting->answered, true)) part_answered(outbox_id, route);
        PartOutcome out = part_outcome(o);
        if (out.kind != PartOutcome::Kind::no_answer) {
            if (o.late) {
                ++stats_.late_answers;
                log::info("sms.late_answer", "outbox_id", outbox_id, route_kind_name(route.kind),
                          route.name, "accepted", out.kind == PartOutcome::Kind::accepted);
            }
            waiting->report(std::move(out));
            return;
        }
        auto now = Clock::now();
        auto not_before = retry_not_before(no_answer_of(o), sent_at, timeout, now);
        // A timeout on a live connection: the late answer is still taken until then.
        if (o.late_until) not_before = std::max(not_before, *o.late_until);
        if (not_before <= now) {
            waiting->report(std::move(out));
            return;
        }
        // The SMSC may still have taken it: report (and so retry) only when the first send
        // can no longer be answered.
        ++stats_.held;
        log::info("sms.part_held", "outbox_id", outbox_id, route_kind_name(route.kind), route.name,
                  "reason", out.detail, "hold_ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(not_before - now).count());
        auto timer = std::make_shared<asio::steady_timer>(io_, not_before);
        timer->async_wait(lifetime_.guard(
            [timer, waiting, out = std::move(out)](boost::system::error_code) mutable {
                waiting->report(std::move(out));
            }));
    });
    if (route->kind == SmsRoute::Kind::client_link) {
        smpp::SmppClientLink* link = smpp_.link(route->name);
        if (link) {
            link->submit(std::move(sm), std::move(finish));
            return;
        }
    } else if (auto* server = smpp_.server()) {
        smpp::DeliverSm d;
        static_cast<smpp::ShortMessage&>(d) = std::move(sm);
        auto sent = server->send_to(route->name, std::move(d), finish);
        if (sent.ok()) return;
        smpp::RequestOutcome o;
        o.kind = smpp::RequestOutcome::Kind::not_sent;
        o.send_error = sent.error;
        asio::post(io_, [finish = std::move(finish), o]() mutable { finish(o); });
        return;
    }
    smpp::RequestOutcome o;
    o.kind = smpp::RequestOutcome::Kind::not_sent;
    o.send_error = smpp::SendError::not_bound;
    asio::post(io_, [finish = std::move(finish), o]() mutable { finish(o); });
}

}  // namespace ussdgw::sms
