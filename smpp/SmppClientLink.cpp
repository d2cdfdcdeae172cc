#include "smpp/SmppClientLink.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>

#include "engine/base/Log.hpp"

namespace ussdgw::smpp {

std::shared_ptr<SmppClientLink> SmppClientLink::create(asio::io_context& io,
                                                       ClientLinkConfig config,
                                                       SmppApplication& app) {
    return std::shared_ptr<SmppClientLink>(new SmppClientLink(io, std::move(config), app));
}

SmppClientLink::SmppClientLink(asio::io_context& io, ClientLinkConfig config, SmppApplication& app)
    : io_(io),
      config_(std::move(config)),
      app_(app),
      resolver_(io),
      retry_timer_(io),
      rng_(std::random_device{}()) {}

SmppClientLink::~SmppClientLink() {
    running_ = false;
    if (connecting_) {
        boost::system::error_code ec;
        connecting_->close(ec);
    }
    if (conn_) conn_->abort();
}

bool SmppClientLink::bound() const {
    return conn_ && conn_->bound();
}

std::uint32_t SmppClientLink::outstanding() const {
    return conn_ ? conn_->outstanding() : 0;
}

std::chrono::milliseconds SmppClientLink::backoff(std::uint32_t attempt) {
    auto lo = config_.reconnect_min.count();
    auto hi = std::max(config_.reconnect_max.count(), lo);
    long long base = lo;
    for (std::uint32_t i = 0; i < attempt && base < hi; ++i)
        base *= 2;
    base = std::min<long long>(base, hi);
    // Full delay with up to half of it taken off at random (spreads reconnect storms).
    std::uniform_int_distribution<long long> jitter(0, base / 2);
    return std::chrono::milliseconds(std::max<long long>(1, base - jitter(rng_)));
}

void SmppClientLink::start() {
    if (running_) return;
    running_ = true;
    stopping_ = false;
    connect();
}

void SmppClientLink::connect() {
    if (!running_) return;
    ++stats_.connects;
    resolver_.async_resolve(
        config_.host, std::to_string(config_.port),
        [weak = weak_from_this()](const boost::system::error_code& ec,
                                  asio::ip::tcp::resolver::results_type results) {
            auto self = weak.lock();
            if (!self || !self->running_) return;
            if (ec) {
                log::warn("smpp.connect_failed", "link", self->config_.name, "host",
                          self->config_.host, "error", ec.message());
                self->schedule_reconnect("resolve failed");
                return;
            }
            self->connect_to(std::move(results));
        });
}

void SmppClientLink::connect_to(asio::ip::tcp::resolver::results_type endpoints) {
    auto sock = std::make_shared<asio::ip::tcp::socket>(io_);
    connecting_ = sock;
    // Connect timeout: the bind timeout bounds the TCP handshake too.
    retry_timer_.expires_after(config_.timers.bind_timeout);
    retry_timer_.async_wait([weak = weak_from_this(), sock](const boost::system::error_code& e) {
        if (e || weak.expired()) return;
        boost::system::error_code ignored;
        sock->close(ignored);
    });
    asio::async_connect(*sock, endpoints,
                        [weak = weak_from_this(), sock](const boost::system::error_code& e,
                                                        const asio::ip::tcp::endpoint&) {
                            auto self = weak.lock();
                            if (!self) return;
                            if (self->connecting_ == sock) self->connecting_.reset();
                            if (!self->running_) return;
                            self->retry_timer_.cancel();
                            if (e) {
                                log::warn("smpp.connect_failed", "link", self->config_.name, "host",
                                          self->config_.host, "port", self->config_.port, "error",
                                          e.message());
                                self->schedule_reconnect("connect failed");
                                return;
                            }
                            self->on_connected(std::move(*sock));
                        });
}

void SmppClientLink::on_connected(asio::ip::tcp::socket socket) {
    SessionConfig sc;
    sc.role = Role::esme;
    sc.timers = config_.timers;
    sc.window = config_.window;
    sc.receive_window = config_.receive_window;
    sc.throughput = config_.throughput;
    sc.tally = tally_;
    conn_ =
        SmppConnection::create(std::move(socket), std::move(sc), weak_from_this(), stats_.connects);
    conn_->peer().link = config_.name;
    log::info("smpp.connected", "link", config_.name, "peer", conn_->peer().address);
    BindRequest b;
    b.type = config_.bind;
    b.system_id = config_.system_id;
    b.password = std::string(config_.password.reveal());
    b.system_type = config_.system_type;
    b.interface_version = config_.interface_version;
    b.address_range = config_.address_range;
    auto r = conn_->bind(std::move(b));
    if (!r.ok()) {
        log::error("smpp.bind_failed", "link", config_.name, "error", send_error_name(r.error));
        conn_->abort();
        return;
    }
    conn_->start();
}

void SmppClientLink::schedule_reconnect(const char* why) {
    if (!running_ || stopping_) return;
    auto d = backoff(attempt_++);
    log::info("smpp.reconnect", "link", config_.name, "in_ms", d.count(), "after", why);
    retry_timer_.expires_after(d);
    retry_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->connect();
    });
}

void SmppClientLink::on_request(SmppConnection& c, const Pdu& request, SmppReply reply) {
    app_.on_link_request(c.peer(), request, std::move(reply));
}

void SmppClientLink::on_ready(SmppConnection& c) {
    flush_queue(c);
}

void SmppClientLink::on_session_event(SmppConnection& c, const SessionEvent& e) {
    switch (e.kind) {
        case EventKind::bound:
            attempt_ = 0;
            was_bound_ = true;
            ++stats_.binds;
            log::info("smpp.bound", "link", config_.name, "peer", c.peer().address, "bind",
                      bind_type_name(config_.bind), "system_id", config_.system_id);
            app_.on_link_state(config_.name, true);
            flush_queue(c);
            return;
        case EventKind::bind_failed:
            ++stats_.bind_failures;
            log::warn("smpp.bind_failed", "link", config_.name, "peer", c.peer().address, "status",
                      e.status);
            return;
        case EventKind::peer_unbound:
            log::info("smpp.peer_unbound", "link", config_.name);
            return;
        case EventKind::closed: {
            log::info("smpp.closed", "link", config_.name, "reason", close_reason_name(e.reason),
                      "detail", e.detail);
            fail_queue(SendError::not_bound);
            if (was_bound_) app_.on_link_state(config_.name, false);
            was_bound_ = false;
            return;
        }
        default:
            return;
    }
}

void SmppClientLink::on_finished(SmppConnection& c) {
    if (conn_.get() == &c) conn_.reset();
    if (stopping_) {
        if (stop_done_) {
            auto done = std::move(stop_done_);
            stop_done_ = nullptr;
            done();
        }
        return;
    }
    schedule_reconnect("connection closed");
}

void SmppClientLink::fail_later(ResponseCallback cb, SendError err) {
    ++stats_.refused;
    if (!cb) return;
    asio::post(io_, [cb = std::move(cb), err] {
        RequestOutcome o;
        o.kind = RequestOutcome::Kind::not_sent;
        o.send_error = err;
        cb(o);
    });
}

void SmppClientLink::fail_queue(SendError err) {
    while (!queue_.empty()) {
        fail_later(std::move(queue_.front().callback), err);
        queue_.pop_front();
    }
}

void SmppClientLink::flush_queue(SmppConnection& c) {
    while (!queue_.empty()) {
        SendError e = c.can_send();
        if (e == SendError::throttled) {
            c.wake_at(c.next_send_time());
            return;
        }
        if (e != SendError::none) return;
        Queued q = std::move(queue_.front());
        queue_.pop_front();
        SendResult r = c.send(std::move(q.body), std::move(q.callback));
        if (!r.ok())
            fail_later(std::move(q.callback), r.error);
        else
            ++stats_.submitted;
    }
}

void SmppClientLink::submit(PduBody body, ResponseCallback callback) {
    if (!conn_ || !conn_->bound() || stopping_) {
        fail_later(std::move(callback), SendError::not_bound);
        return;
    }
    SendError e = queue_.empty() ? conn_->can_send() : SendError::window_full;
    if (e == SendError::none) {
        SendResult r = conn_->send(std::move(body), std::move(callback));
        if (!r.ok()) {
            fail_later(std::move(callback), r.error);
            return;
        }
        ++stats_.submitted;
        return;
    }
    if (e == SendError::not_bound || queue_.size() >= config_.queue_limit) {
        fail_later(std::move(callback), e == SendError::not_bound ? e : SendError::window_full);
        return;
    }
    ++stats_.queued;
    queue_.push_back(Queued{std::move(body), std::move(callback)});
    if (e == SendError::throttled) conn_->wake_at(conn_->next_send_time());
}

void SmppClientLink::stop(std::function<void()> done) {
    running_ = false;
    stopping_ = true;
    retry_timer_.cancel();
    resolver_.cancel();
    if (connecting_) {
        boost::system::error_code ec;
        connecting_->close(ec);
        connecting_.reset();
    }
    fail_queue(SendError::not_bound);
    if (conn_) {
        stop_done_ = std::move(done);
        conn_->unbind();
        return;
    }
    if (done) asio::post(io_, std::move(done));
}

}  // namespace ussdgw::smpp
