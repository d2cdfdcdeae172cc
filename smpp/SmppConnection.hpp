// SmppConnection: one TCP connection driving one SmppSession with Boost.Asio. Shared by the
// client link (ESME role) and the server listener (SMSC role); applications normally use
// SmppClientLink / SmppServer and only meet `SmppReply`, `PeerInfo` and `RequestOutcome`.
//
// I/O shape: one async_read_some at a time into a 64 KiB buffer fed to the session (paused
// while the session's output is over its cap); one async_write in flight, and everything the
// session produced meanwhile is gathered into the next single write; one steady_timer at the
// session's next deadline. Everything runs on the io_context's thread: call these classes
// only from handlers running there (use asio::post from other threads).
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
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

// The fate of a request we sent (submit_sm, deliver_sm, data_sm).
struct RequestOutcome {
    enum class Kind { response, timeout, not_sent } kind = Kind::not_sent;
    SendError send_error = SendError::none;        // not_sent: why
    std::uint32_t status = status::ok;             // response: command_status
    CloseReason close_reason = CloseReason::none;  // timeout: none, or the close that lost it
    Pdu response;                                  // response: the *_resp or generic_nack
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

// A received submit_sm / deliver_sm / data_sm; answer it through `reply`.
using RequestHandler = std::function<void(const PeerInfo&, const Pdu& request, SmppReply reply)>;

class SmppConnection : public std::enable_shared_from_this<SmppConnection> {
  public:
    struct Hooks {
        // Lifecycle events of the session: bound, bind_failed, peer_unbound, closed.
        std::function<void(SmppConnection&, const SessionEvent&)> on_event;
        RequestHandler on_request;  // may be empty: requests are then accepted
        // After a batch of events (responses freed window slots): send more now.
        std::function<void(SmppConnection&)> on_ready;
        // The socket is closed and no handler runs any more: drop the connection.
        std::function<void(SmppConnection&)> on_finished;
    };

    SmppConnection(asio::ip::tcp::socket socket, SessionConfig config, Hooks hooks,
                   std::uint64_t id);
    ~SmppConnection();
    SmppConnection(const SmppConnection&) = delete;
    SmppConnection& operator=(const SmppConnection&) = delete;

    void start();
    SmppSession& session() { return session_; }
    const SmppSession& session() const { return session_; }
    PeerInfo& peer() { return peer_; }
    std::uint64_t id() const { return peer_.connection_id; }
    bool finished() const { return finished_; }

    // Sends a request; `callback` gets the response, the timeout or the loss of the link.
    // On an immediate error nothing is sent, and `callback` is left untouched (not moved
    // from, not called) so that the caller can report the error through it.
    SendResult send(PduBody body, ResponseCallback&& callback);
    // Runs after application commands made outside a connection handler: dispatches
    // events, starts the write, re-arms the timer. Cheap; safe to call any time.
    void kick();
    // Sends unbind (if bound) and closes when answered or after the unbind timeout.
    void unbind();
    // Closes now: pending output is dropped.
    void abort();
    // An extra wake-up (e.g. the client link's throughput limit); on_ready runs then.
    void wake_at(TimePoint t);

  private:
    friend class SmppReply;
    void do_read();
    void start_write();
    void arm_timer();
    void finish();
    void dispatch(SessionEvent& e);

    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    SmppSession session_;
    Hooks hooks_;
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
