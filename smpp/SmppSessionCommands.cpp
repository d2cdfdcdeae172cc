// SmppSession, the owner's side: commands (bind, send_request, respond, unbind), the
// timers and the output. What arrives from the peer is in SmppSession.cpp.
#include <algorithm>

#include "smpp/SmppSession.hpp"

namespace ussdgw::smpp {

namespace {
TimePoint earliest(std::optional<TimePoint> a, TimePoint b) {
    return a ? std::min(*a, b) : b;
}
}  // namespace

// ---- timers ----

std::optional<TimePoint> SmppSession::next_deadline() const {
    if (closed()) return std::nullopt;
    std::optional<TimePoint> d;
    if (out_of_order_ == 0) {
        if (!outstanding_.empty()) d = outstanding_.front().deadline;
    } else {
        for (const auto& o : outstanding_)
            d = earliest(d, o.deadline);
    }
    if (!expired_.empty()) d = earliest(d, expired_.front().until);
    const auto& t = config_.timers;
    if (partial_since_) d = earliest(d, *partial_since_ + t.response_timeout);
    if (held_since_) d = earliest(d, *held_since_ + t.response_timeout);
    if (delayed_bind_)
        d = earliest(d, delayed_bind_->at);
    else if (state_ == SessionState::open && config_.role == Role::smsc &&
             t.bind_timeout.count() > 0)
        d = earliest(d, created_ + t.bind_timeout);
    if (bound()) {
        if (t.inactivity_timeout.count() > 0) d = earliest(d, last_rx_ + t.inactivity_timeout);
        if (t.enquire_link_interval.count() > 0 && !enquire_outstanding_)
            d = earliest(d, last_rx_ + t.enquire_link_interval);
    }
    return d;
}

void SmppSession::on_time(TimePoint now) {
    if (closed()) return;
    const auto& t = config_.timers;
    if (delayed_bind_ && now >= delayed_bind_->at) {
        DelayedBind b = std::move(*delayed_bind_);
        delayed_bind_.reset();
        answer_bind(b.verdict, std::move(b.request), now);
        process(now);
        if (closed()) return;
    }
    if (!delayed_bind_ && state_ == SessionState::open && config_.role == Role::smsc &&
        t.bind_timeout.count() > 0 && now >= created_ + t.bind_timeout) {
        close(CloseReason::bind_timeout, "no bind in time");
        return;
    }
    if (partial_since_ && now >= *partial_since_ + t.response_timeout) {
        close(CloseReason::peer_silent, "a partial frame was not completed in time");
        return;
    }
    if (held_since_ && now >= *held_since_ + t.response_timeout) {
        process(now);  // the application left requests unanswered: the unbind goes on
        if (closed()) return;
    }
    expire_late(now);
    // Expired requests, oldest first.
    for (std::size_t i = 0; i < outstanding_.size() && !closed();) {
        if (outstanding_[i].deadline > now) {
            ++i;
            continue;
        }
        Outstanding o = outstanding_[i];
        untrack(outstanding_.begin() + static_cast<std::ptrdiff_t>(i));
        if (!o.internal) {
            --app_outstanding_;
            ++stats_.timeouts;
            SessionEvent& e = push_request_event(EventKind::response_timeout, o);
            e.late_until = now + t.response_timeout;
            expired_.push_back(Expired{o.sequence_number, o.command_id, o.context, e.late_until});
            // At most a window of them: the oldest late window closes first.
            while (expired_.size() > config_.window)
                end_late(expired_.front(), CloseReason::none);
        } else if (is_bind(o.command_id)) {
            push_event(EventKind::bind_failed, o.sequence_number).status = status::syserr;
            close(CloseReason::bind_timeout, "no bind_resp in time");
        } else if (o.command_id == static_cast<std::uint32_t>(CommandId::enquire_link)) {
            close(CloseReason::peer_silent, "enquire_link unanswered");
        } else {
            close(CloseReason::unbound, "no unbind_resp in time");
        }
    }
    if (closed() || !bound()) return;
    if (t.inactivity_timeout.count() > 0 && now >= last_rx_ + t.inactivity_timeout) {
        close(CloseReason::peer_silent, "nothing received within the inactivity timeout");
        return;
    }
    if (t.enquire_link_interval.count() > 0 && !enquire_outstanding_ &&
        now >= last_rx_ + t.enquire_link_interval) {
        std::uint32_t seq = next_sequence();
        if (emit(Pdu{status::ok, seq, EnquireLink{}})) {
            enquire_outstanding_ = true;
            track(seq, static_cast<std::uint32_t>(CommandId::enquire_link), 0,
                  now + t.response_timeout, true);
        }
    }
}

void SmppSession::end_late(const Expired& x, CloseReason reason) {
    push_request_event(EventKind::late_expired, x).reason = reason;
    expired_.pop_front();
}

void SmppSession::expire_late(TimePoint now) {
    while (!expired_.empty() && expired_.front().until <= now)
        end_late(expired_.front(), CloseReason::none);
}

// ---- commands ----

SendResult SmppSession::bind(BindRequest request, TimePoint now) {
    if (config_.role != Role::esme || state_ != SessionState::open)
        return SendResult{SendError::not_bound, 0};
    std::uint32_t seq = next_sequence();
    bind_ = std::move(request);
    Pdu p{status::ok, seq, bind_};
    if (!emit(p)) return SendResult{SendError::invalid, 0};
    auto timeout = config_.timers.bind_timeout.count() > 0 ? config_.timers.bind_timeout
                                                           : config_.timers.response_timeout;
    track(seq, p.command_id(), 0, now + timeout, true);
    state_ = SessionState::binding;
    return SendResult{SendError::none, seq};
}

SendResult SmppSession::outbind(Outbind request, TimePoint now) {
    (void)now;
    if (config_.role != Role::smsc || state_ != SessionState::open)
        return SendResult{SendError::not_bound, 0};
    std::uint32_t seq = next_sequence();
    if (!emit(Pdu{status::ok, seq, std::move(request)})) return SendResult{SendError::invalid, 0};
    return SendResult{SendError::none, seq};
}

SendError SmppSession::can_send(TimePoint now) const {
    if (!bound()) return SendError::not_bound;
    if (app_outstanding_ >= config_.window) return SendError::window_full;
    if (output_.size() > config_.max_output) return SendError::output_full;
    if (send_bucket_.next_token(now) > now) return SendError::throttled;
    return SendError::none;
}

TimePoint SmppSession::next_send_time(TimePoint now) const {
    return send_bucket_.next_token(now);
}

SendResult SmppSession::send_request(PduBody body, TimePoint now, std::uint64_t context) {
    if (!std::holds_alternative<SubmitSm>(body) && !std::holds_alternative<DeliverSm>(body) &&
        !std::holds_alternative<DataSm>(body))
        return SendResult{SendError::invalid, 0};
    SendError err = can_send(now);
    if (err != SendError::none) return SendResult{err, 0};
    Pdu p{status::ok, 0, std::move(body)};
    std::uint32_t id = p.command_id();
    if (!request_allowed_in(id, true)) return SendResult{SendError::not_bound, 0};
    std::uint32_t seq = next_seq_;
    p.sequence_number = seq;
    std::size_t before = output_.size();
    if (!encode(p, output_).ok()) {
        output_.resize(before);
        return SendResult{SendError::invalid, 0};
    }
    next_sequence();
    send_bucket_.take(now);
    ++stats_.pdus_out;
    if (config_.tally) config_.tally->add(true, id, status::ok);
    track(seq, id, context, now + config_.timers.response_timeout, false);
    return SendResult{SendError::none, seq};
}

bool SmppSession::answered(std::uint32_t sequence_number) {
    if (closed()) return false;
    auto it = std::find(unanswered_.begin(), unanswered_.end(), sequence_number);
    if (it == unanswered_.end()) return false;
    *it = unanswered_.back();
    unanswered_.pop_back();
    return true;
}

void SmppSession::respond(const Pdu& response) {
    if (!answered(response.sequence_number)) return;
    if (!emit(response)) {
        // The application's response does not encode: answer with a system error instead.
        Pdu p{status::syserr, response.sequence_number, GenericNack{}};
        emit(p);
    }
}

void SmppSession::respond_error(const Pdu& request, std::uint32_t st) {
    if (!answered(request.sequence_number)) return;
    emit_error_response(request.command_id(), request.sequence_number, st, false);
}

void SmppSession::unbind(TimePoint now) {
    if (closed() || state_ == SessionState::unbinding) return;
    if (!bound()) {
        close(CloseReason::unbound, "closed before bound");
        return;
    }
    std::uint32_t seq = next_sequence();
    if (!emit(Pdu{status::ok, seq, Unbind{}})) {
        close(CloseReason::unbound, "unbind did not encode");
        return;
    }
    track(seq, static_cast<std::uint32_t>(CommandId::unbind), 0,
          now + config_.timers.unbind_timeout, true);
    bound_state_ = state_;
    state_ = SessionState::unbinding;
}

// ---- output ----

void SmppSession::take_output(std::vector<std::uint8_t>& out) {
    out.clear();
    out.swap(output_);
}

void SmppSession::take_events(std::vector<SessionEvent>& out) {
    out.clear();
    out.swap(events_);
    undelivered_ = 0;
}

}  // namespace ussdgw::smpp
