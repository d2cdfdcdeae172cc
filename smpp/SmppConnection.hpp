// SmppConnection: one TCP connection driving one SmppSession with Boost.Asio, the session's
// thin I/O shell. Shared by the client link (ESME role) and the server listener (SMSC role),
// which create their connections and hear from them through `SmppConnection::Owner`;
// applications only meet `SmppReply`, `PeerInfo` and `RequestOutcome`.
//
// I/O shape: one async_read_some at a time into a 64 KiB buffer fed to the session (only
// while the session wants input: it pauses reading while a whole frame waits, see
// SmppSession); one async_write in flight, and everything the session produced meanwhile is
// gathered into the next single write; one steady_timer at the session's next deadline.
// Everything runs on the io_context's thread: call these classes only from handlers running
// there (use asio::post from other threads).
//
// How the SMPP layer reports and lives (the same for the connection, the client link and
// the server):
// - Reports go through an interface of virtual methods held by reference or weak pointer:
//   a connection reports to its `Owner` (the client link or the server), which report to
//   the `SmppApplication` (SmppApplication.hpp). A request's own outcome goes to the
//   `ResponseCallback` given with it.
// - Objects with asynchronous work are shared-owned (`create`, std::enable_shared_from_this):
//   operations with buffers in flight hold the object strongly (shared_from_this), and
//   every other handler and report holds it weakly (weak_from_this) and does nothing once
//   it is gone. (Objects with a single owner, the engine's services, guard their callbacks
//   with a `Lifetime` instead: engine/base/Lifetime.hpp says when to use which.)
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smpp/SmppSession.hpp"

namespace ussdgw::smpp {

namespace asio = boost::asio;

// Who a received request came from.
struct PeerInfo {
    std::string link;     // client link name, or the server account's system_id
    std::string address;  // "ip:port" of the peer
    std::uint64_t connection_id = 0;
};

// The fate of a request we sent (submit_sm, deliver_sm, data_sm). The callback runs once,
// or twice when a timeout (close_reason none) is followed by the peer's late response
// within the late window (`late_until`, see SmppSession): then with kind response and
// `late` set. A callback that does not care about late answers can ignore the second run.
struct RequestOutcome {
    enum class Kind { response, timeout, not_sent } kind = Kind::not_sent;
    SendError send_error = SendError::none;        // not_sent: why
    std::uint32_t status = status::ok;             // response: command_status
    CloseReason close_reason = CloseReason::none;  // timeout: none, or the close that lost it
    Pdu response;                                  // response: the *_resp or generic_nack
    bool late = false;                             // response: after a timeout was reported
    std::optional<TimePoint> late_until;           // timeout: a late response may come till then
    bool ok() const { return kind == Kind::response && status == status::ok; }
    // The message_id of a submit_sm_resp / deliver_sm_resp / data_sm_resp ("" otherwise).
    std::string message_id() const;
};
using ResponseCallback = std::function<void(RequestOutcome&)>;

class SmppConnection;

// Answers one received request, now or later (on the io_context thread). Copyable; the first
// answer wins, later ones and answers after the connection closed are ignored.
class SmppReply {
  public:
    SmppReply() = default;
    SmppReply(std::weak_ptr<SmppConnection> conn, std::uint32_t command_id, std::uint32_t seq);
    // Accepts: submit_sm_resp / deliver_sm_resp / data_sm_resp with this message_id.
    void accept(std::string message_id = {}) const;
    // Refuses with a command_status (e.g. status::syserr) and an empty body.
    void reject(std::uint32_t status) const;
    // Sends a complete response (its sequence_number is set here).
    void send(Pdu response) const;
    std::uint32_t sequence_number() const { return seq_; }
    std::uint32_t command_id() const { return command_id_; }

  private:
    std::weak_ptr<SmppConnection> conn_;
    std::uint32_t command_id_ = 0;
    std::uint32_t seq_ = 0;
};

class SmppConnection : public std::enable_shared_from_this<SmppConnection> {
  public:
    // What a connection reports to whoever created it.
    class Owner {
      public:
        // The session's lifecycle: bound, bind_failed, peer_unbound, closed.
        virtual void on_session_event(SmppConnection& c, const SessionEvent& e) = 0;
        // A received submit_sm / deliver_sm / data_sm; answer through `reply`, now or later.
        virtual void on_request(SmppConnection& c, const Pdu& request, SmppReply reply) = 0;
        // Responses freed window slots, or a wake_at time came: send more now.
        virtual void on_ready(SmppConnection&) {}
        // The socket is closed and nothing more will be reported: drop the connection.
        virtual void on_finished(SmppConnection& c) = 0;

      protected:
        ~Owner() = default;
    };

    static std::shared_ptr<SmppConnection> create(asio::ip::tcp::socket socket,
                                                  SessionConfig config, std::weak_ptr<Owner> owner,
                                                  std::uint64_t id);
    ~SmppConnection();
    SmppConnection(const SmppConnection&) = delete;
    SmppConnection& operator=(const SmppConnection&) = delete;

    // Starts reading (and writes what is queued, e.g. a bind).
    void start();

    // ---- what it is ----
    PeerInfo& peer() { return peer_; }
    const PeerInfo& peer() const { return peer_; }
    std::uint64_t id() const { return peer_.connection_id; }
    SessionState state() const { return session_.state(); }
    bool bound() const { return session_.bound(); }
    // The accepted bind (server) or the bind sent (client).
    const BindRequest& bind_request() const { return session_.bind_request(); }
    std::uint32_t outstanding() const { return session_.outstanding(); }
    bool finished() const { return finished_; }

    // ---- commands ----
    // Client: sends the bind (before start(), or any time while open).
    SendResult bind(BindRequest request);
    // Sends a request; `callback` gets the response, the timeout or the loss of the link.
    // On an immediate error nothing is sent, and `callback` is left untouched (not moved
    // from, not called) so that the caller can report the error through it.
    SendResult send(PduBody body, ResponseCallback&& callback);
    // Whether send() could send now, and when the throughput limit allows the next one.
    SendError can_send() const;
    TimePoint next_send_time() const;
    // An extra wake-up (e.g. the client link's throughput limit); on_ready runs then.
    void wake_at(TimePoint t);
    // Answers a received request (SmppReply's way in).
    void respond(const Pdu& response);
    // Sends unbind (if bound) and closes when answered or after the unbind timeout.
    void unbind();
    // Closes now: pending output is dropped.
    void abort();

  private:
    SmppConnection(asio::ip::tcp::socket socket, SessionConfig config, std::weak_ptr<Owner> owner,
                   std::uint64_t id);
    // Runs after every input, command and timer: dispatches events, lets the session go on
    // with its input, starts the write, reads, re-arms the timer. Cheap; re-entrant.
    void kick();
    void do_read();
    void start_write();
    void arm_timer();
    void finish();
    void dispatch(SessionEvent& e);

    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    SmppSession session_;
    std::weak_ptr<Owner> owner_;
    PeerInfo peer_;
    std::array<std::uint8_t, 65536> read_buf_{};
    std::vector<std::uint8_t> write_buf_;
    std::vector<SessionEvent> events_;
    std::vector<ResponseCallback> callbacks_;  // slot per outstanding request (context)
    std::vector<std::uint32_t> free_slots_;
    std::optional<TimePoint> armed_;
    std::optional<TimePoint> wake_;
    std::optional<TimePoint> close_deadline_;
    std::uint64_t timer_gen_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool in_kick_ = false;
    bool again_ = false;
    bool finished_ = false;
};

// "ip:port" of a socket's remote end ("?" when unknown).
std::string remote_label(const asio::ip::tcp::socket& s);

}  // namespace ussdgw::smpp
