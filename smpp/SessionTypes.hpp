// SessionTypes: the vocabulary of an SMPP session (smpp/SmppSession.hpp): its role and
// states, why it closed, what it reports (events), how a send can fail, its settings and
// counters, and the names of each for logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "smpp/Pdu.hpp"
#include "smpp/PduCodec.hpp"
#include "smpp/PduTally.hpp"
#include "smpp/SmppConfig.hpp"

namespace ussdgw::smpp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class Role { esme, smsc };
enum class SessionState { open, binding, bound_tx, bound_rx, bound_trx, unbinding, closed };
const char* state_name(SessionState s);

enum class CloseReason {
    none,
    unbound,          // our unbind was answered (or timed out)
    peer_unbound,     // the peer sent unbind
    bind_failed,      // ESME: bind_resp with an error; SMSC: authentication refused
    bind_timeout,     // no bind (SMSC) or bind_resp (ESME) in time
    peer_silent,      // nothing received within the inactivity limit / enquire_link unanswered
    unframeable,      // bad command_length: the stream cannot be resynchronised
    output_overflow,  // the peer does not read what we write
    local,            // close() called by the owner
    transport,        // set by the owner when the connection is lost
};
const char* close_reason_name(CloseReason r);

// A server's answer to a bind request (see SessionConfig::authenticate).
struct BindVerdict {
    std::uint32_t status = status::ok;  // ok, or the refusal (bindfail, ...)
    double receive_throughput = 0;      // incoming requests/s for this session, 0 = unlimited
    Millis delay{0};                    // send the answer this long after the bind arrived
                                        // (nothing more is read meanwhile)
};

struct SessionConfig {
    Role role = Role::esme;
    LinkTimers timers;
    std::uint32_t window = 100;          // outstanding outgoing application requests
    std::uint32_t receive_window = 100;  // received requests the app holds unanswered
    double throughput = 0;               // outgoing application requests/s, 0 = unlimited
    double receive_throughput = 0;       // incoming requests/s, 0 = unlimited
    std::size_t max_output = 1 << 20;    // bytes queued for writing before writable() is false
    std::size_t max_frame_length = kDefaultMaxFrameLength;
    std::string system_id = "ussdgw";  // SMSC: sent in bind_resp
    std::uint32_t first_sequence = 1;  // for tests of the wrap at 0x7FFFFFFF
    // SMSC: decides a bind (`now`: when it arrived). Without it every bind is refused with
    // ESME_RBINDFAIL.
    std::function<BindVerdict(const BindRequest&, TimePoint now)> authenticate;
    // Counts every PDU read and written (by command and status), when set; shared with the
    // owner (a link or listener) so the counts outlive the connection.
    std::shared_ptr<PduTally> tally;
};

enum class EventKind {
    bound,             // ESME: pdu = the bind_resp; SMSC: pdu = the accepted bind request
    bind_failed,       // ESME: bind_resp error or timeout (status); SMSC: refused bind (pdu)
    request,           // pdu = a received submit_sm / deliver_sm / data_sm; answer with respond()
    response,          // pdu = the response (or generic_nack) to our request `sequence_number`
    response_timeout,  // no response to our request `sequence_number` in time (reason none:
                       // a late response may still come until `late_until`), or the session
                       // closed before it (reason = the close reason)
    peer_unbound,      // the peer unbound (already answered); `closed` follows
    closed,            // the session is closed (`reason`); flush take_output() then close
    outbind,           // ESME, state open: pdu = the SMSC's outbind; call bind() to accept it
    late_expired,      // the late window of a timed-out request passed with no response
                       // (`sequence_number`, `context`); nothing more comes for it
};
const char* event_name(EventKind k);

struct SessionEvent {
    EventKind kind = EventKind::closed;
    std::uint32_t sequence_number = 0;
    std::uint32_t request_command_id = 0;  // response/timeout: what we had sent
    std::uint64_t context = 0;             // response/timeout: the context given to send_request
    std::uint32_t status = status::ok;     // response/bind_failed: command_status
    bool late = false;                     // response: it came after its response timeout
    TimePoint late_until{};                // response_timeout (reason none): a late response
                                           // is still taken until then
    CloseReason reason = CloseReason::none;
    std::string detail;  // closed: human text for logs
    Pdu pdu;
};

enum class SendError {
    none,
    not_bound,    // state does not allow this request (e.g. submit_sm while bound_rx)
    window_full,  // `window` requests outstanding
    throttled,    // the throughput limit: retry at next_send_time()
    output_full,  // the peer is not reading fast enough
    invalid,      // the PDU does not encode (field too long, ...)
};
const char* send_error_name(SendError e);

struct SendResult {
    SendError error = SendError::none;
    std::uint32_t sequence_number = 0;  // with SendError::none
    bool ok() const { return error == SendError::none; }
};

struct SessionStats {
    std::uint64_t pdus_in = 0, pdus_out = 0;
    std::uint64_t requests_in = 0, throttled_in = 0, nacks_out = 0, timeouts = 0;
};

}  // namespace ussdgw::smpp
