// SmppSession: the sans-I/O state machine of one SMPP connection, for both roles (ESME client
// side and SMSC server side). No sockets, no clock reads, no threads. Its vocabulary (states,
// events, settings) is in SessionTypes.hpp; SmppSession.cpp handles what the peer sends,
// SmppSessionCommands.cpp what the owner asks, the timers and the output.
//
// The owner feeds it received bytes (`receive`), the current time (`on_time`, and every call
// takes `now`), and application commands (`bind`, `send_request`, `respond`, `unbind`). The
// session frames and decodes bytes itself (partial frames, several frames per read), answers
// what the protocol answers on its own (enquire_link, generic_nack, invbndsts, throttled,
// unbind_resp, a server's bind_resp) and reports the rest as `SessionEvent`s. The bytes to
// write accumulate in one buffer (`take_output`), the events in another (`take_events`), and
// `next_deadline` says when `on_time` must be called next.
//
// Bounded by construction: the input buffer holds at most one partial frame plus one read
// (a partial frame must complete within timers.response_timeout, else the session closes),
// the output buffer is capped (`writable()` turns false, the owner stops reading; past twice
// the cap the session closes), outgoing requests are limited by the window and a token
// bucket, and incoming requests beyond the receive window or throughput are answered
// ESME_RTHROTTLED instead of being queued.
//
// Received requests are answered in the order they came, before whatever follows them:
// - The session hands the application one request at a time: after each `request` event it
//   stops reading frames until the owner has taken the events (and the application had its
//   chance to answer) and calls `process`. So the receive window counts only requests the
//   application really holds unanswered; a burst that the application answers at once is
//   never throttled, whatever its size.
// - An unbind, or bytes that cannot be framed, after requests still unanswered wait (and no
//   more bytes are read) until those are answered, at most timers.response_timeout; then
//   unbind_resp (or generic_nack and the close) follows their responses.
// While a whole frame waits this way `wants_input()` is false: the owner stops reading, so
// the input buffer never holds more than one read plus one partial frame.
//
// A request of ours not answered within timers.response_timeout is reported
// (`response_timeout`) and leaves the window, but its sequence number is remembered for one
// more response_timeout (its late window, at most `window` of them): a slow peer's answer
// that comes meanwhile is reported as a `response` with `late` set (a submit_sm the SMSC
// took after all is not sent twice), else `late_expired` says that nothing more will come.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "smpp/SessionTypes.hpp"
#include "smpp/TokenBucket.hpp"

namespace ussdgw::smpp {

class SmppSession {
  public:
    SmppSession(SessionConfig config, TimePoint now);

    SessionState state() const { return state_; }
    Role role() const { return config_.role; }
    bool bound() const;
    bool closed() const { return state_ == SessionState::closed; }
    CloseReason close_reason() const { return close_reason_; }
    // The accepted bind (SMSC) or the bind we sent (ESME).
    const BindRequest& bind_request() const { return bind_; }
    const SessionConfig& config() const { return config_; }
    const SessionStats& stats() const { return stats_; }

    // ---- input ----
    // Bytes read from the peer (read only while wants_input()). Handles the whole frames as
    // far as the rules above allow and keeps the rest.
    void receive(std::span<const std::uint8_t> bytes, TimePoint now);
    // Goes on with frames already received: call it after taking the events (and after the
    // application answered requests).
    void process(TimePoint now);
    // Whether the owner should read more bytes: nothing whole waits in the input buffer,
    // nothing is held back, and the output is under its cap.
    bool wants_input() const;
    // Received requests handed to the application and not answered yet.
    std::size_t unanswered() const { return unanswered_.size(); }
    // Runs the timers due at `now` (response timeouts, enquire_link, inactivity, bind).
    void on_time(TimePoint now);
    // When on_time must run next (nullopt: no timer needed, the session is closed).
    std::optional<TimePoint> next_deadline() const;

    // ---- application commands ----
    // ESME: sends bind_transmitter/receiver/transceiver (state open -> binding).
    SendResult bind(BindRequest request, TimePoint now);
    // SMSC, state open: sends outbind (asks the ESME to bind on this connection); the
    // bind must then arrive within timers.bind_timeout of the session's creation.
    SendResult outbind(Outbind request, TimePoint now);
    // Sends submit_sm / deliver_sm / data_sm (sequence number assigned here; the body's
    // sequence_number is ignored). `context` comes back with the response or timeout event.
    SendResult send_request(PduBody body, TimePoint now, std::uint64_t context = 0);
    // Whether send_request could send now (window, throughput, state, output), and when the
    // throughput limit allows the next one.
    SendError can_send(TimePoint now) const;
    TimePoint next_send_time(TimePoint now) const;
    std::uint32_t outstanding() const { return app_outstanding_; }
    // Answers a received request (an `EventKind::request`): `response.sequence_number` must
    // be the request's; its body the matching *_resp. A second answer to the same request,
    // or an answer to nothing received, is ignored.
    void respond(const Pdu& response);
    // Answers a received request `request` with an error status and an empty body.
    void respond_error(const Pdu& request, std::uint32_t status);
    // Bound -> unbinding: sends unbind; `closed` (reason unbound) follows on unbind_resp or
    // after timers.unbind_timeout. In other states it closes at once.
    void unbind(TimePoint now);
    // Closes now (no unbind). The reason is reported in a `closed` event.
    void close(CloseReason reason, std::string detail = {});
    void set_receive_throughput(double per_second);

    // ---- output ----
    // Moves the pending bytes into `out` (cleared first; capacities are swapped, not freed).
    void take_output(std::vector<std::uint8_t>& out);
    bool has_output() const { return !output_.empty(); }
    std::size_t output_size() const { return output_.size(); }
    // False while more than config.max_output bytes wait: stop reading from the peer.
    bool writable() const { return output_.size() <= config_.max_output; }
    // Moves the pending events into `out` (cleared first).
    void take_events(std::vector<SessionEvent>& out);
    bool has_events() const { return !events_.empty(); }

  private:
    struct Outstanding {
        std::uint32_t sequence_number;
        std::uint32_t command_id;
        std::uint64_t context;
        TimePoint deadline;
        bool internal;              // bind / enquire_link / unbind: not the application's
        bool out_of_order = false;  // its deadline is earlier than one tracked before it
    };
    void untrack(std::deque<Outstanding>::iterator it);
    // Timed out, its late window open until `until` (in the order they timed out).
    struct Expired {
        std::uint32_t sequence_number;
        std::uint32_t command_id;
        std::uint64_t context;
        TimePoint until;
    };
    // Closes the late window of the first of expired_ (reported as late_expired).
    void end_late(const Expired& first, CloseReason reason);
    void expire_late(TimePoint now);

    void handle_frame(std::span<const std::uint8_t> frame, TimePoint now);
    void handle_request(Pdu&& pdu, TimePoint now);
    void handle_response(Pdu&& pdu, TimePoint now);
    void handle_bind(Pdu&& pdu, TimePoint now);
    void answer_bind(const BindVerdict& v, Pdu&& pdu, TimePoint now);
    bool request_allowed_in(std::uint32_t command_id, bool outgoing) const;
    std::uint32_t next_sequence();
    bool hold(TimePoint now);
    bool answered(std::uint32_t sequence_number);
    bool emit(const Pdu& pdu);
    void emit_error_response(std::uint32_t command_id, std::uint32_t seq, std::uint32_t status,
                             bool generic_nack);
    void track(std::uint32_t seq, std::uint32_t command_id, std::uint64_t context,
               TimePoint deadline, bool internal);
    void push_closed(CloseReason reason, std::string detail);
    // Appends an event of `kind` about sequence number `seq`, for the caller to fill in.
    SessionEvent& push_event(EventKind kind, std::uint32_t seq = 0);
    // Appends an event about one of the owner's requests (an Outstanding or an Expired): its
    // sequence number, command and context.
    template <typename Request>
    SessionEvent& push_request_event(EventKind kind, const Request& r) {
        SessionEvent& e = push_event(kind, r.sequence_number);
        e.request_command_id = r.command_id;
        e.context = r.context;
        return e;
    }

    SessionConfig config_;
    SessionState state_ = SessionState::open;
    SessionState bound_state_ = SessionState::open;  // kept while unbinding
    CloseReason close_reason_ = CloseReason::none;
    BindRequest bind_;
    std::uint32_t next_seq_ = 1;
    // In the order sent. Nearly every request waits response_timeout, so deadlines grow
    // along the queue and the first one is the earliest: next_deadline() looks at it alone
    // (it runs after every read and write) unless a request with a shorter timeout (a bind
    // or unbind) came after longer ones (`out_of_order_` of them are outstanding). Responses
    // mostly come in order too, so finding one starts at the front.
    std::deque<Outstanding> outstanding_;
    std::size_t out_of_order_ = 0;
    TimePoint latest_deadline_{};
    std::uint32_t app_outstanding_ = 0;
    std::deque<Expired> expired_;
    std::vector<std::uint32_t> unanswered_;  // received requests the app has not answered
    std::uint32_t undelivered_ = 0;          // request events the owner has not taken yet
    std::optional<TimePoint> held_since_;    // an unbind / unframeable bytes wait for answers
    struct DelayedBind {
        TimePoint at;
        BindVerdict verdict;
        Pdu request;
    };
    std::optional<DelayedBind> delayed_bind_;  // SMSC: a bind answered later
    bool enquire_outstanding_ = false;
    TimePoint created_;
    TimePoint last_rx_;
    std::optional<TimePoint> partial_since_;  // a partial frame waits in input_ since then
    TokenBucket send_bucket_;
    TokenBucket receive_bucket_;
    std::vector<std::uint8_t> input_;
    std::size_t input_pos_ = 0;  // input_ before this offset is handled
    std::vector<std::uint8_t> output_;
    std::vector<SessionEvent> events_;
    SessionStats stats_;
};

}  // namespace ussdgw::smpp
