// SmppSession, the peer's side: what arrives (frames, requests, binds, responses) and the
// session's own bookkeeping. The owner's side (commands, timers, output) is in
// SmppSessionCommands.cpp.
#include "smpp/SmppSession.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "smpp/detail/Bytes.hpp"

namespace ussdgw::smpp {

namespace {
constexpr std::uint32_t kMaxSequence = 0x7FFFFFFF;

SessionState bound_state_of(BindType t) {
    switch (t) {
        case BindType::receiver:
            return SessionState::bound_rx;
        case BindType::transmitter:
            return SessionState::bound_tx;
        case BindType::transceiver:
            return SessionState::bound_trx;
    }
    return SessionState::bound_trx;
}
}  // namespace

// ---- session ----

SmppSession::SmppSession(SessionConfig config, TimePoint now)
    : config_(std::move(config)), created_(now), last_rx_(now) {
    next_seq_ = config_.first_sequence == 0 || config_.first_sequence > kMaxSequence
                    ? 1
                    : config_.first_sequence;
    send_bucket_.configure(config_.throughput, now);
    receive_bucket_.configure(config_.receive_throughput, now);
}

bool SmppSession::bound() const {
    return state_ == SessionState::bound_tx || state_ == SessionState::bound_rx ||
           state_ == SessionState::bound_trx;
}

std::uint32_t SmppSession::next_sequence() {
    std::uint32_t s = next_seq_;
    next_seq_ = next_seq_ >= kMaxSequence ? 1 : next_seq_ + 1;
    return s;
}

void SmppSession::set_receive_throughput(double per_second) {
    receive_bucket_.configure(per_second, receive_bucket_.last_refill());
}

bool SmppSession::emit(const Pdu& pdu) {
    std::size_t before = output_.size();
    if (!encode(pdu, output_).ok()) {
        output_.resize(before);
        return false;
    }
    ++stats_.pdus_out;
    if (config_.tally) config_.tally->add(true, pdu.command_id(), pdu.command_status);
    if (output_.size() > 2 * config_.max_output + 65536)
        close(CloseReason::output_overflow, "the peer does not read");
    return true;
}

void SmppSession::emit_error_response(std::uint32_t command_id, std::uint32_t seq, std::uint32_t st,
                                      bool generic_nack) {
    Pdu p = generic_nack ? Pdu{st, seq, GenericNack{}} : make_response(command_id, seq, st);
    if (std::holds_alternative<GenericNack>(p.body)) ++stats_.nacks_out;
    emit(p);
}

void SmppSession::track(std::uint32_t seq, std::uint32_t command_id, std::uint64_t context,
                        TimePoint deadline, bool internal) {
    const bool out_of_order = !outstanding_.empty() && deadline < latest_deadline_;
    if (out_of_order)
        ++out_of_order_;
    else
        latest_deadline_ = deadline;
    outstanding_.push_back(Outstanding{seq, command_id, context, deadline, internal, out_of_order});
    if (!internal) ++app_outstanding_;
}

void SmppSession::untrack(std::deque<Outstanding>::iterator it) {
    if (it->out_of_order) --out_of_order_;
    outstanding_.erase(it);  // keeps the order
}

SessionEvent& SmppSession::push_event(EventKind kind, std::uint32_t seq) {
    SessionEvent& e = events_.emplace_back();
    e.kind = kind;
    e.sequence_number = seq;
    return e;
}

void SmppSession::push_closed(CloseReason reason, std::string detail) {
    SessionEvent& e = push_event(EventKind::closed);
    e.reason = reason;
    e.detail = std::move(detail);
}

void SmppSession::close(CloseReason reason, std::string detail) {
    if (state_ == SessionState::closed) return;
    state_ = SessionState::closed;
    close_reason_ = reason;
    // Every application request still waiting is abandoned: report it.
    for (const auto& o : outstanding_) {
        if (o.internal) continue;
        push_request_event(EventKind::response_timeout, o).reason = reason;
    }
    outstanding_.clear();
    out_of_order_ = 0;
    app_outstanding_ = 0;
    // No late response can come any more.
    while (!expired_.empty())
        end_late(expired_.front(), reason);
    unanswered_.clear();
    held_since_.reset();
    delayed_bind_.reset();
    partial_since_.reset();
    input_.clear();
    input_.shrink_to_fit();
    input_pos_ = 0;
    push_closed(reason, std::move(detail));
}

// ---- input ----

void SmppSession::receive(std::span<const std::uint8_t> bytes, TimePoint now) {
    if (closed() || bytes.empty()) return;
    last_rx_ = now;
    input_.insert(input_.end(), bytes.begin(), bytes.end());
    process(now);
}

bool SmppSession::wants_input() const {
    if (closed() || !writable() || held_since_ || delayed_bind_) return false;
    auto rest = std::span<const std::uint8_t>(input_).subspan(input_pos_);
    return frame_length(rest, config_.max_frame_length).kind == FrameLength::Kind::need_more;
}

bool SmppSession::hold(TimePoint now) {
    if (unanswered_.empty()) return false;
    if (!held_since_) held_since_ = now;
    if (now < *held_since_ + config_.timers.response_timeout) return true;
    return false;  // the application did not answer in time: go on without it
}

void SmppSession::process(TimePoint now) {
    bool consumed = false;
    bool at_partial = false;
    while (!closed()) {
        // One request at a time: the owner hands it to the application (which may answer at
        // once) before the next frame is counted against the receive window.
        if (undelivered_ > 0 || delayed_bind_) break;
        auto rest = std::span<const std::uint8_t>(input_).subspan(input_pos_);
        FrameLength fl = frame_length(rest, config_.max_frame_length);
        if (fl.kind == FrameLength::Kind::need_more) {
            at_partial = !rest.empty();
            break;
        }
        if (fl.kind == FrameLength::Kind::unframeable) {
            // What came before the bad bytes is answered first.
            if (hold(now)) break;
            std::uint32_t seq = rest.size() >= kHeaderLength ? detail::get32(&rest[12]) : 0;
            emit_error_response(0, seq, status::invcmdlen, true);
            close(CloseReason::unframeable, "bad command_length");
            return;
        }
        auto frame = rest.first(fl.length);
        if (detail::get32(&frame[4]) == static_cast<std::uint32_t>(CommandId::unbind) &&
            (bound() || state_ == SessionState::unbinding) && hold(now))
            break;
        held_since_.reset();
        input_pos_ += fl.length;
        consumed = true;
        handle_frame(frame, now);
    }
    if (closed()) return;
    if (input_pos_ == input_.size()) {
        input_.clear();
        input_pos_ = 0;
    } else if (at_partial && input_pos_ > 0) {
        input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(input_pos_));
        input_pos_ = 0;
    }
    // A frame trickled in byte by byte must not keep the session (and its buffer) forever.
    if (!at_partial)
        partial_since_.reset();
    else if (consumed || !partial_since_)
        partial_since_ = now;
}

void SmppSession::handle_frame(std::span<const std::uint8_t> frame, TimePoint now) {
    ++stats_.pdus_in;
    if (config_.tally && frame.size() >= 12) {
        auto u32 = [&](std::size_t at) {
            return std::uint32_t{frame[at]} << 24 | std::uint32_t{frame[at + 1]} << 16 |
                   std::uint32_t{frame[at + 2]} << 8 | std::uint32_t{frame[at + 3]};
        };
        config_.tally->add(false, u32(4), u32(8));
    }
    auto r = decode(frame);
    if (!r.ok()) {
        const DecodeError& e = r.error();
        if (e.is_response) return;  // a broken response: nothing to answer
        emit_error_response(e.command_id, e.sequence_number, e.status, e.answer_with_generic_nack);
        return;
    }
    Pdu pdu = std::move(r).value();
    if (is_response(pdu.command_id()))
        handle_response(std::move(pdu), now);
    else
        handle_request(std::move(pdu), now);
}

bool SmppSession::request_allowed_in(std::uint32_t command_id, bool outgoing) const {
    SessionState s = state_ == SessionState::unbinding ? bound_state_ : state_;
    Role sender = outgoing ? config_.role : (config_.role == Role::esme ? Role::smsc : Role::esme);
    bool tx = s == SessionState::bound_tx || s == SessionState::bound_trx;
    bool rx = s == SessionState::bound_rx || s == SessionState::bound_trx;
    switch (static_cast<CommandId>(command_id)) {
        case CommandId::submit_sm:
            return sender == Role::esme && tx;
        case CommandId::deliver_sm:
            // SMSC -> ESME normally; an ESME's deliver_sm to us is accepted like a submit.
            return sender == Role::smsc ? rx : tx;
        case CommandId::data_sm:
            return sender == Role::smsc ? rx : tx;
        default:
            return false;
    }
}

void SmppSession::handle_request(Pdu&& pdu, TimePoint now) {
    std::uint32_t id = pdu.command_id();
    std::uint32_t seq = pdu.sequence_number;
    switch (static_cast<CommandId>(id)) {
        case CommandId::enquire_link: {
            emit(Pdu{status::ok, seq, EnquireLinkResp{}});
            return;
        }
        case CommandId::bind_receiver:
        case CommandId::bind_transmitter:
        case CommandId::bind_transceiver:
            if (config_.role == Role::esme) {
                emit_error_response(id, seq, status::invcmdid, true);
                return;
            }
            handle_bind(std::move(pdu), now);
            return;
        case CommandId::unbind: {
            if (!bound() && state_ != SessionState::unbinding) {
                emit(Pdu{status::invbndsts, seq, UnbindResp{}});
                return;
            }
            emit(Pdu{status::ok, seq, UnbindResp{}});
            push_event(EventKind::peer_unbound, seq);
            close(CloseReason::peer_unbound, "the peer unbound");
            return;
        }
        case CommandId::submit_sm:
        case CommandId::deliver_sm:
        case CommandId::data_sm: {
            if (!request_allowed_in(id, false)) {
                emit_error_response(id, seq, status::invbndsts, false);
                return;
            }
            // Only requests the application really holds count: every earlier one was handed
            // over (and perhaps answered) before this frame was read.
            if (unanswered_.size() >= config_.receive_window || !receive_bucket_.take(now)) {
                ++stats_.throttled_in;
                emit_error_response(id, seq, status::throttled, false);
                return;
            }
            unanswered_.push_back(seq);
            ++undelivered_;
            ++stats_.requests_in;
            push_event(EventKind::request, seq).pdu = std::move(pdu);
            return;
        }
        case CommandId::outbind: {
            if (config_.role != Role::esme || state_ != SessionState::open) {
                emit_error_response(id, seq, status::invbndsts, true);
                return;
            }
            push_event(EventKind::outbind, seq).pdu = std::move(pdu);
            return;
        }
        default:
            // Anything the codec decoded but a peer may not send us.
            emit_error_response(id, seq, status::invcmdid, true);
            return;
    }
}

void SmppSession::handle_bind(Pdu&& pdu, TimePoint now) {
    std::uint32_t id = pdu.command_id();
    std::uint32_t seq = pdu.sequence_number;
    if (state_ != SessionState::open) {
        emit_error_response(id, seq, bound() ? status::alybnd : status::invbndsts, false);
        return;
    }
    auto* req = std::get_if<BindRequest>(&pdu.body);
    if (!req) {
        emit_error_response(id, seq, status::syserr, true);
        return;
    }
    BindVerdict v;
    v.status = status::bindfail;
    if (config_.authenticate) v = config_.authenticate(*req, now);
    if (v.delay.count() > 0) {
        // Answered later (the owner's bind guard slows this peer down); nothing more is read
        // meanwhile.
        delayed_bind_ = DelayedBind{now + v.delay, v, std::move(pdu)};
        return;
    }
    answer_bind(v, std::move(pdu), now);
}

void SmppSession::answer_bind(const BindVerdict& v, Pdu&& pdu, TimePoint now) {
    const auto& req = std::get<BindRequest>(pdu.body);
    BindResponse resp{req.type, config_.system_id, {}};
    if (v.status == status::ok && req.interface_version >= 0x34) resp.sc_interface_version = 0x34;
    if (v.status != status::ok) resp.system_id.clear();
    emit(Pdu{v.status, pdu.sequence_number, resp});
    if (v.status != status::ok) {
        SessionEvent& e = push_event(EventKind::bind_failed, pdu.sequence_number);
        e.status = v.status;
        e.pdu = std::move(pdu);
        close(CloseReason::bind_failed, "bind refused");
        return;
    }
    bind_ = req;
    state_ = bound_state_of(req.type);
    bound_state_ = state_;
    if (v.receive_throughput > 0) receive_bucket_.configure(v.receive_throughput, now);
    push_event(EventKind::bound, pdu.sequence_number).pdu = std::move(pdu);
}

void SmppSession::handle_response(Pdu&& pdu, TimePoint now) {
    (void)now;
    std::uint32_t seq = pdu.sequence_number;
    auto it = std::find_if(outstanding_.begin(), outstanding_.end(),
                           [seq](const Outstanding& o) { return o.sequence_number == seq; });
    if (it == outstanding_.end()) {
        // Late: taken while its late window is open; unknown otherwise (nothing waits for it).
        auto x = std::find_if(expired_.begin(), expired_.end(),
                              [seq](const Expired& e) { return e.sequence_number == seq; });
        if (x == expired_.end()) return;
        SessionEvent& e = push_request_event(EventKind::response, *x);
        e.status = pdu.command_status;
        e.late = true;
        e.pdu = std::move(pdu);
        expired_.erase(x);
        return;
    }
    Outstanding o = *it;
    untrack(it);
    if (!o.internal) {
        --app_outstanding_;
        SessionEvent& e = push_request_event(EventKind::response, o);
        e.status = pdu.command_status;
        e.pdu = std::move(pdu);
        return;
    }
    if (is_bind(o.command_id)) {
        if (state_ != SessionState::binding) return;
        bool ok =
            pdu.command_status == status::ok && std::holds_alternative<BindResponse>(pdu.body);
        SessionEvent& e = push_event(ok ? EventKind::bound : EventKind::bind_failed, seq);
        e.status = ok ? status::ok
                      : (pdu.command_status == status::ok ? status::bindfail : pdu.command_status);
        e.pdu = std::move(pdu);
        if (ok) {
            state_ = bound_state_of(bind_.type);
            bound_state_ = state_;
            last_rx_ = now;
        } else {
            close(CloseReason::bind_failed, "bind refused by the peer");
        }
        return;
    }
    if (o.command_id == static_cast<std::uint32_t>(CommandId::enquire_link)) {
        enquire_outstanding_ = false;
        return;
    }
    if (o.command_id == static_cast<std::uint32_t>(CommandId::unbind)) {
        close(CloseReason::unbound, "unbind answered");
        return;
    }
}

}  // namespace ussdgw::smpp
