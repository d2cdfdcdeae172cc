#include "engine/http/HttpServer.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "engine/base/Log.hpp"
#include "engine/http/HttpConnection.hpp"

namespace ussdgw::http {

namespace beast = boost::beast;
using boost::asio::ip::tcp;
using boost::system::error_code;

namespace {

// Over-limit connections being answered 503 at once; beyond, they are closed at accept.
constexpr std::size_t kMaxRejecting = 64;
// How long an over-limit connection may take to read its 503 before it is closed.
constexpr std::chrono::milliseconds kRejectTime{1000};

std::string method_label(Verb v) {
    if (v == Verb::unknown) return "other";
    auto s = bhttp::to_string(v);
    return std::string(s.data(), s.size());
}

// The 503 written to connections beyond the limit, serialized once.
std::string overloaded_answer() {
    Response res = error_response(HttpStatus::service_unavailable, "overloaded",
                                  "too many connections; try again later");
    apply_security_headers(res);
    res.set(bhttp::field::retry_after, "1");
    res.keep_alive(false);
    res.prepare_payload();
    std::ostringstream out;
    out << res;
    return out.str();
}

}  // namespace

// Requests by route, method and status, and durations by route (shared by the listeners).
struct RequestMetrics {
    explicit RequestMetrics(metrics::Registry& r) : registry(r) {}

    void record(std::string_view route, Verb method, unsigned status, double seconds) {
        std::string key(route);
        key.push_back('\0');
        key += method_label(method);
        key.push_back('\0');
        key += std::to_string(status);
        auto it = requests.find(key);
        if (it == requests.end()) {
            auto& c = registry.counter("http_requests_total",
                                       "HTTP requests answered, by route pattern, method and "
                                       "status.",
                                       {{"route", std::string(route)},
                                        {"method", method_label(method)},
                                        {"status", std::to_string(status)}});
            it = requests.emplace(std::move(key), &c).first;
        }
        it->second->inc();
        auto d = durations.find(std::string(route));
        if (d == durations.end()) {
            auto& h =
                registry.histogram("http_request_duration_seconds",
                                   "Time from a request read to its answer, by route.",
                                   metrics::latency_buckets(), {{"route", std::string(route)}});
            d = durations.emplace(std::string(route), &h).first;
        }
        d->second->observe(seconds);
    }

    metrics::Registry& registry;
    std::unordered_map<std::string, metrics::Counter*> requests;
    std::unordered_map<std::string, metrics::Histogram*> durations;
};

// One listening address: its acceptor, connections and limit.
class Listener : public ConnectionHost, public std::enable_shared_from_this<Listener> {
  public:
    Listener(boost::asio::io_context& io, std::string name, HttpEndpoint endpoint, unsigned scopes,
             const HttpConfig& config, const Router& router,
             std::shared_ptr<RequestMetrics> request_metrics, metrics::Registry& registry,
             std::function<void()> on_idle)
        : name_(std::move(name)),
          endpoint_(std::move(endpoint)),
          scopes_(scopes),
          config_(config),
          router_(router),
          request_metrics_(std::move(request_metrics)),
          acceptor_(io),
          retry_timer_(io),
          on_idle_(std::move(on_idle)),
          open_(registry.gauge("http_connections", "Open HTTP connections, by listener.",
                               {{"listener", name_}})),
          accepted_(registry.counter("http_connections_accepted_total",
                                     "HTTP connections accepted, by listener.",
                                     {{"listener", name_}})),
          rejected_(registry.counter("http_connections_rejected_total",
                                     "HTTP connections refused beyond max_connections (503 or "
                                     "closed at accept), by listener.",
                                     {{"listener", name_}})),
          read_timeouts_(registry.counter("http_read_timeouts_total",
                                          "HTTP connections closed because a request did not "
                                          "arrive within request_timeout, by listener.",
                                          {{"listener", name_}})),
          overloaded_(overloaded_answer()) {}

    void open() {
        error_code ec;
        auto address = boost::asio::ip::make_address(endpoint_.host, ec);
        tcp::endpoint ep(address, endpoint_.port);
        if (!ec) acceptor_.open(ep.protocol(), ec);
        if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(tcp::socket::max_listen_connections, ec);
        if (ec)
            throw std::runtime_error("http: cannot listen on " + endpoint_.host + ":" +
                                     std::to_string(endpoint_.port) + ": " + ec.message());
        port_ = acceptor_.local_endpoint().port();
        log::info("http.listening", "listener", name_, "address", endpoint_.host, "port", port_);
        accept();
    }

    void stop() {
        stopping_ = true;
        error_code ignored;
        acceptor_.close(ignored);
        retry_timer_.cancel();
        for (auto& c : snapshot())
            c->drain();
    }

    void close_all() {
        for (auto& c : snapshot())
            c->close();
    }

    std::size_t count() const { return connections_.size(); }
    std::uint16_t port() const { return port_; }

    // ConnectionHost
    const HttpConfig& config() const override { return config_; }
    const Router& router() const override { return router_; }
    unsigned scopes() const override { return scopes_; }
    const std::string& name() const override { return name_; }
    void on_answered(std::string_view route, Verb method, unsigned status,
                     double seconds) override {
        request_metrics_->record(route, method, status, seconds);
    }
    void on_read_timeout() override { read_timeouts_.inc(); }
    void on_closed(std::uint64_t id) override {
        connections_.erase(id);
        open_.set(static_cast<double>(connections_.size()));
        if (stopping_ && connections_.empty() && on_idle_) on_idle_();
    }

    void rejection_done() { --rejecting_; }

  private:
    std::vector<std::shared_ptr<HttpConnection>> snapshot() const {
        std::vector<std::shared_ptr<HttpConnection>> out;
        out.reserve(connections_.size());
        for (const auto& [id, c] : connections_)
            out.push_back(c);
        return out;
    }

    void accept() {
        acceptor_.async_accept(
            [self = shared_from_this()](const error_code& ec, tcp::socket socket) {
                self->on_accept(ec, std::move(socket));
            });
    }

    void on_accept(const error_code& ec, tcp::socket socket) {
        if (stopping_ || !acceptor_.is_open()) return;
        if (ec) {
            // EMFILE and friends: keep serving the open connections, try again shortly.
            log::warn("http.accept_failed", "listener", name_, "error", ec.message());
            retry_timer_.expires_after(std::chrono::milliseconds(100));
            retry_timer_.async_wait([self = shared_from_this()](const error_code& e) {
                if (!e && !self->stopping_) self->accept();
            });
            return;
        }
        if (connections_.size() >= config_.max_connections) {
            reject(std::move(socket));
        } else {
            accepted_.inc();
            if (saturated_) {
                saturated_ = false;
                log::info("http.connection_limit_cleared", "listener", name_);
            }
            auto id = next_id_++;
            auto c = std::make_shared<HttpConnection>(std::move(socket), weak_from_this(), id);
            connections_.emplace(id, c);
            open_.set(static_cast<double>(connections_.size()));
            c->start();
        }
        accept();
    }

    struct Rejection : std::enable_shared_from_this<Rejection> {
        Rejection(tcp::socket s, std::weak_ptr<Listener> o) : stream(std::move(s)), owner(o) {}
        void start(const std::string& text) {
            stream.expires_after(kRejectTime);
            boost::asio::async_write(
                stream, boost::asio::buffer(text),
                [self = shared_from_this()](const error_code& ec, std::size_t) {
                    if (ec) return self->finish();
                    error_code ignored;
                    self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                    self->drain();
                });
        }
        // Reads what the peer sent (its request) until it closes or the time is up, so
        // that the close does not reset the connection before the 503 is read.
        void drain() {
            stream.async_read_some(boost::asio::buffer(scratch),
                                   [self = shared_from_this()](const error_code& ec, std::size_t) {
                                       if (ec) return self->finish();
                                       self->drain();
                                   });
        }
        void finish() {
            stream.close();
            if (auto o = owner.lock()) o->rejection_done();
        }
        beast::tcp_stream stream;
        std::weak_ptr<Listener> owner;
        std::array<char, 4096> scratch{};
    };

    void reject(tcp::socket socket) {
        rejected_.inc();
        if (!saturated_) {
            saturated_ = true;
            log::warn("http.connection_limit", "listener", name_, "max_connections",
                      config_.max_connections);
        }
        if (rejecting_ >= kMaxRejecting) {
            error_code ignored;
            socket.close(ignored);
            return;
        }
        ++rejecting_;
        std::make_shared<Rejection>(std::move(socket), weak_from_this())->start(overloaded_);
    }

    std::string name_;
    HttpEndpoint endpoint_;
    unsigned scopes_;
    HttpConfig config_;
    const Router& router_;
    std::shared_ptr<RequestMetrics> request_metrics_;
    tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_timer_;
    std::function<void()> on_idle_;
    metrics::Gauge& open_;
    metrics::Counter& accepted_;
    metrics::Counter& rejected_;
    metrics::Counter& read_timeouts_;
    const std::string overloaded_;
    std::unordered_map<std::uint64_t, std::shared_ptr<HttpConnection>> connections_;
    std::uint64_t next_id_ = 1;
    std::uint16_t port_ = 0;
    std::size_t rejecting_ = 0;
    bool stopping_ = false;
    bool saturated_ = false;
};

HttpServer::HttpServer(boost::asio::io_context& io, HttpConfig config, const Router& router,
                       metrics::Registry& registry)
    : io_(io),
      config_(std::move(config)),
      router_(router),
      registry_(registry),
      request_metrics_(std::make_shared<RequestMetrics>(registry)),
      grace_timer_(io) {}

HttpServer::~HttpServer() {
    for (auto& l : listeners_) {
        l->stop();
        l->close_all();
    }
}

void HttpServer::start() {
    auto on_idle = lifetime_.guard([this] { check_stopped(); });
    unsigned main_scopes = config_.ops_listen ? static_cast<unsigned>(Scope::main) : kAllScopes;
    listeners_.push_back(std::make_shared<Listener>(io_, "main", config_.listen, main_scopes,
                                                    config_, router_, request_metrics_, registry_,
                                                    on_idle));
    if (config_.ops_listen)
        listeners_.push_back(std::make_shared<Listener>(
            io_, "ops", *config_.ops_listen, static_cast<unsigned>(Scope::ops), config_, router_,
            request_metrics_, registry_, on_idle));
    for (auto& l : listeners_)
        l->open();
}

std::uint16_t HttpServer::port() const {
    return listeners_.empty() ? 0 : listeners_.front()->port();
}

std::optional<std::uint16_t> HttpServer::ops_port() const {
    if (listeners_.size() < 2) return std::nullopt;
    return listeners_[1]->port();
}

std::size_t HttpServer::connection_count() const {
    std::size_t n = 0;
    for (const auto& l : listeners_)
        n += l->count();
    return n;
}

void HttpServer::stop(std::function<void()> done) {
    if (stopping_) {
        if (done) boost::asio::post(io_, std::move(done));
        return;
    }
    stopping_ = true;
    stop_done_ = std::move(done);
    log::info("http.stopping", "connections", connection_count());
    for (auto& l : listeners_)
        l->stop();
    grace_timer_.expires_after(config_.shutdown_grace);
    grace_timer_.async_wait(lifetime_.guard([this](const boost::system::error_code& ec) {
        if (ec) return;
        if (connection_count() > 0)
            log::warn("http.shutdown_grace_elapsed", "connections", connection_count());
        for (auto& l : listeners_)
            l->close_all();
        check_stopped();
    }));
    check_stopped();
}

void HttpServer::check_stopped() {
    if (!stopping_ || !stop_done_ || connection_count() > 0) return;
    grace_timer_.cancel();
    log::info("http.stopped");
    // Posted: the last connection may be closing on this very call stack.
    boost::asio::post(io_, lifetime_.guard([done = std::move(stop_done_)] { done(); }));
    stop_done_ = nullptr;
}

}  // namespace ussdgw::http
