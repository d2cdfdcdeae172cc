// HttpConnection: the thin I/O shell of one accepted HTTP/1.1 connection. RequestReader (Beast's
// request parser, the limits, validation) reads the requests; the router and its handlers
// decide the answers. One request at a time: read (idle timeout until the first byte, then the
// request timeout for the whole request, slow headers or slow body), hand it to the
// router, wait for the handler's answer (bounded by the handler timeout), write it (write
// timeout), then read the next one on the same connection (keep-alive) or close.
//
// Parse errors answer 400, an oversize header 431, an oversize body 413 (at the header,
// from Content-Length, before the body is read); all three close the connection after the
// answer. A timed-out peer is closed without an answer. Closing after an answer is
// graceful: the send side is shut down and what the peer still sends is read and dropped
// for a moment, so it reads the answer rather than a reset.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/http/HttpConfig.hpp"
#include "engine/http/RequestReader.hpp"
#include "engine/http/Router.hpp"

namespace ussdgw::http {

namespace asio = boost::asio;

// What a connection needs from the listener that accepted it.
class ConnectionHost {
  public:
    virtual ~ConnectionHost() = default;
    virtual const HttpConfig& config() const = 0;
    virtual const Router& router() const = 0;
    virtual unsigned scopes() const = 0;
    virtual const std::string& name() const = 0;
    // An answer went out (route pattern or "unmatched", method, status, seconds since the
    // request was read).
    virtual void on_answered(std::string_view route, Verb method, unsigned status,
                             double seconds) = 0;
    virtual void on_read_timeout() = 0;
    virtual void on_closed(std::uint64_t id) = 0;
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
  public:
    HttpConnection(asio::ip::tcp::socket socket, std::weak_ptr<ConnectionHost> host,
                   std::uint64_t id);
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    void start();
    // Shutdown: an idle connection closes now; a request being read, handled or written
    // finishes and is answered with Connection: close.
    void drain();
    // Closes now (pending handler answers are dropped).
    void close();
    std::uint64_t id() const { return id_; }

  private:
    enum class State { reading, handling, writing, closing, closed };
    using Clock = std::chrono::steady_clock;

    void next_request();
    void read_some();
    void on_read(const boost::system::error_code& ec, std::size_t bytes);
    void parse_buffered();
    void send_continue();
    void handle_request(Request msg);
    void on_answer(Response&& res, std::uint64_t request_no);
    void write(Response&& res, bool close_after);
    void fail(HttpStatus status, std::string_view code, std::string_view message);
    void close_gracefully();
    void drain_input(std::size_t drained);

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    asio::steady_timer handler_timer_;
    std::weak_ptr<ConnectionHost> host_;
    HttpConfig config_;  // a copy: the listener may go first
    RequestReader reader_;
    std::uint64_t id_;
    std::string peer_address_;
    std::uint16_t peer_port_ = 0;
    std::string listener_;

    State state_ = State::reading;
    bool draining_ = false;
    bool request_started_ = false;  // bytes of the next request were read
    std::uint64_t request_no_ = 0;
    // The request being answered.
    std::string route_;
    Verb method_ = Verb::unknown;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    Clock::time_point read_at_{};
    std::optional<Response> out_;
};

}  // namespace ussdgw::http
