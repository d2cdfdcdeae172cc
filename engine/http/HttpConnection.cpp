#include "engine/http/HttpConnection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>

#include "engine/base/Log.hpp"

namespace ussdgw::http {

namespace beast = boost::beast;
using boost::system::error_code;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// What a closing connection reads and drops at most, and for how long, before it closes.
constexpr std::size_t kDrainLimit = 1 << 20;
constexpr std::chrono::milliseconds kDrainTime{1000};
// Bytes asked for per read.
constexpr std::size_t kReadSize = 16 * 1024;

std::string_view sv(beast::string_view s) {
    return {s.data(), s.size()};
}

}  // namespace

namespace {
HttpConfig config_of(const std::weak_ptr<ConnectionHost>& host) {
    auto h = host.lock();
    return h ? h->config() : HttpConfig{};
}
}  // namespace

HttpConnection::HttpConnection(asio::ip::tcp::socket socket, std::weak_ptr<ConnectionHost> host,
                               std::uint64_t id)
    : stream_(std::move(socket)),
      handler_timer_(stream_.get_executor()),
      host_(std::move(host)),
      config_(config_of(host_)),
      reader_(config_.max_header_bytes, config_.max_body_bytes),
      id_(id) {
    error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
        peer_address_ = ep.address().to_string();
        peer_port_ = ep.port();
    }
    if (auto h = host_.lock()) listener_ = h->name();
}

void HttpConnection::start() {
    next_request();
}

void HttpConnection::drain() {
    draining_ = true;
    if (state_ == State::reading && !request_started_) close();
}

void HttpConnection::close() {
    if (state_ == State::closed) return;
    auto self = shared_from_this();  // the host may drop its reference below
    state_ = State::closed;
    handler_timer_.cancel();
    stream_.close();
    if (auto h = host_.lock()) h->on_closed(id_);
}

void HttpConnection::read_some() {
    // Raw reads fed to the reader: the first byte of a request must switch the idle timeout
    // to the request timeout, and Beast's own read would wait for a whole header first.
    stream_.async_read_some(
        buffer_.prepare(kReadSize),
        [self = shared_from_this()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

// Between requests: bytes of a pipelined request already waiting mean it has begun.
void HttpConnection::next_request() {
    state_ = State::reading;
    request_started_ = buffer_.size() > 0;
    stream_.expires_after(request_started_ ? config_.request_timeout : config_.idle_timeout);
    if (request_started_) return parse_buffered();
    read_some();
}

void HttpConnection::on_read(const error_code& ec, std::size_t bytes) {
    if (state_ == State::closed) return;
    if (ec) {
        // Idle keep-alive connections time out normally; a request that did not arrive
        // in time is a slow (or hostile) peer. EOF or a reset: the peer went away.
        if (ec == beast::error::timeout && request_started_)
            if (auto h = host_.lock()) h->on_read_timeout();
        return close();
    }
    buffer_.commit(bytes);
    if (!request_started_) {
        request_started_ = true;
        stream_.expires_after(config_.request_timeout);
    }
    parse_buffered();
}

void HttpConnection::parse_buffered() {
    switch (reader_.parse(buffer_)) {
        case RequestReader::Step::need_more:
            return read_some();
        case RequestReader::Step::send_continue:
            return send_continue();
        case RequestReader::Step::request:
            return handle_request(reader_.take());
        case RequestReader::Step::reject: {
            method_ = reader_.method();
            version_ = reader_.version();
            route_ = kUnmatchedRoute;
            const auto& r = reader_.rejection();
            return fail(r.status, r.code, r.message);
        }
    }
}

void HttpConnection::send_continue() {
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](const error_code& ec, std::size_t) {
                          if (self->state_ == State::closed) return;
                          if (ec) return self->close();
                          self->read_some();
                      });
}

void HttpConnection::handle_request(Request msg) {
    stream_.expires_never();  // the handler's time is bounded by handler_timer_
    state_ = State::handling;
    ++request_no_;
    read_at_ = Clock::now();
    method_ = msg.method();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    route_ = kUnmatchedRoute;
    auto host = host_.lock();
    if (!host) return close();

    HttpRequest request(std::move(msg), peer_address_, peer_port_, listener_);
    std::weak_ptr<HttpConnection> weak = weak_from_this();
    auto executor = stream_.get_executor();
    std::uint64_t no = request_no_;
    HttpResponder responder([weak, executor, no](Response&& res) {
        // Always through the loop: the answer may come from another thread, and a handler
        // that answers at once must not re-enter the connection.
        asio::post(executor, [weak, no, res = std::move(res)]() mutable {
            if (auto self = weak.lock()) self->on_answer(std::move(res), no);
        });
    });
    handler_timer_.expires_after(config_.handler_timeout);
    handler_timer_.async_wait([weak, no](const error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock())
            self->on_answer(error_response(HttpStatus::service_unavailable, "timeout",
                                           "the request was not answered in time"),
                            no);
    });
    route_ = std::string(host->router().dispatch(request, host->scopes(), std::move(responder)));
}

void HttpConnection::on_answer(Response&& res, std::uint64_t request_no) {
    if (state_ != State::handling || request_no != request_no_) return;  // late or duplicate
    handler_timer_.cancel();
    write(std::move(res), !keep_alive_);
}

// An answer that closes the connection after it (the request stream cannot be trusted).
void HttpConnection::fail(HttpStatus status, std::string_view code, std::string_view message) {
    state_ = State::handling;
    read_at_ = Clock::now();
    write(error_response(status, code, message), true);
}

void HttpConnection::write(Response&& res, bool close_after) {
    close_after = close_after || draining_;
    apply_security_headers(res);
    res.version(version_ == 10 ? 10 : 11);
    res.keep_alive(!close_after);
    res.prepare_payload();
    if (method_ == Verb::head) res.body().clear();  // Content-Length stays that of GET
    double seconds = std::chrono::duration<double>(Clock::now() - read_at_).count();
    if (auto h = host_.lock()) h->on_answered(route_, method_, res.result_int(), seconds);
    if (log::level() <= log::Level::debug)
        log::debug("http.request", "listener", listener_, "peer", peer_address_, "method",
                   sv(bhttp::to_string(method_)), "route", route_, "status", res.result_int(), "ms",
                   seconds * 1000);
    state_ = State::writing;
    out_.emplace(std::move(res));
    stream_.expires_after(config_.write_timeout);
    bhttp::async_write(stream_, *out_,
                       [self = shared_from_this(), close_after](const error_code& ec, std::size_t) {
                           if (self->state_ == State::closed) return;
                           self->out_.reset();
                           if (ec) return self->close();
                           if (close_after) return self->close_gracefully();
                           self->next_request();
                       });
}

void HttpConnection::close_gracefully() {
    state_ = State::closing;
    error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (ec) return close();
    buffer_.clear();
    stream_.expires_after(std::min<std::chrono::milliseconds>(kDrainTime, config_.request_timeout));
    drain_input(0);
}

void HttpConnection::drain_input(std::size_t drained) {
    stream_.async_read_some(buffer_.prepare(16 * 1024), [self = shared_from_this(), drained](
                                                            const error_code& ec, std::size_t n) {
        if (self->state_ == State::closed) return;
        if (ec || drained + n > kDrainLimit) return self->close();
        self->drain_input(drained + n);
    });
}

}  // namespace ussdgw::http
