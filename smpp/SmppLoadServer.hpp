// SmppLoadServer: the network side of a load generator, as SmppLoadClient is the ESME side.
// A minimal SMSC / USSD centre on 127.0.0.1 that the system under test binds to over one or
// more connections ("links", numbered in the order they bind): it accepts any bind with the
// expected password, answers enquire_link and unbind, answers every submit_sm at once with
// the status the handler returns (a message id when it is ok), and sends deliver_sm the
// caller queues on a link, keeping at most `window` of them unanswered per link (more wait
// in the link's queue). Requests are decoded and built with PduCodec; responses are read
// by their header. One read and one write in flight per link (everything queued meanwhile
// goes in the next write). Runs on the caller's io_context, single-threaded; the handler
// is called from it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/Lifetime.hpp"
#include "smpp/Pdu.hpp"
#include "smpp/PduCodec.hpp"

namespace ussdgw::smpp {

struct LoadServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;       // 0: an ephemeral port (see port())
    std::string password;         // a bind with another password is refused ("" = any)
    std::uint32_t window = 1000;  // deliver_sm unanswered per link
};

class SmppLoadServer {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    class Handler {
      public:
        virtual void on_bound(std::size_t link, const BindRequest& bind) = 0;
        virtual void on_link_closed(std::size_t link) = 0;
        // A submit_sm from the peer; the returned command_status answers it.
        virtual std::uint32_t on_submit(std::size_t link, const SubmitSm& sm, TimePoint now) = 0;
        // The response to the deliver_sm queued with `token`.
        virtual void on_deliver_resp(std::size_t link, std::uint64_t token, std::uint32_t status,
                                     TimePoint now) = 0;
        // A frame that does not decode (answered as PduCodec says; counted as an error).
        virtual void on_bad_frame(std::size_t link, const DecodeError& error) = 0;

      protected:
        ~Handler() = default;
    };

    SmppLoadServer(boost::asio::io_context& io, LoadServerOptions options, Handler& handler);
    ~SmppLoadServer();
    SmppLoadServer(const SmppLoadServer&) = delete;
    SmppLoadServer& operator=(const SmppLoadServer&) = delete;

    // Opens the listener (throws std::runtime_error when it cannot).
    void start();
    std::uint16_t port() const { return port_; }
    std::size_t bound_links() const;
    // Queues a deliver_sm on `link`; its response comes back with `token`. False when the
    // link is not bound (nothing is queued).
    bool send(std::size_t link, const DeliverSm& sm, std::uint64_t token);
    // Closes the listener and every link at once (no unbind: the peer sees the link drop).
    void close();

  private:
    struct Link;
    void accept();
    void read(Link& l);
    void write(Link& l);
    void on_bytes(Link& l);
    void on_frame(Link& l, std::span<const std::uint8_t> frame, TimePoint now);
    void send_queued(Link& l);
    void drop(Link& l);

    LoadServerOptions options_;
    Handler& handler_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    // Shared with the handlers of their pending reads and writes, so a socket and its buffers
    // outlive an operation that completes after the server is gone (a composed write goes on
    // writing to the socket it holds).
    std::vector<std::shared_ptr<Link>> links_;
    std::uint64_t message_ids_ = 0;
    bool closed_ = false;
    // Last member: ends first. Every socket handler is guarded by it, so a completion that
    // was already queued (with data, not operation_aborted) when the server was destroyed
    // does nothing when the io_context runs it later.
    Lifetime lifetime_;
};

}  // namespace ussdgw::smpp
