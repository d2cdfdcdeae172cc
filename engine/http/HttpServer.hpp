// engine/http: the engine's HTTP face. An HTTP/1.1 server on Boost.Beast running on the
// engine's own io_context, and the sans-I/O pieces it is made of: the request and response
// helpers (HttpMessage), the `Router` of method + path pattern to handler, with responders
// that let handlers answer later, and one thin `HttpConnection` shell per socket whose codec
// is Beast's parser. The operations routes (/metrics, /healthz, /readyz) are in OpsRoutes;
// other layers add their own routes (USSD over HTTP, the cabinet API, the web page) to the
// engine's Router.
//
// `HttpServer` opens the main listener ([http] listen) and, when configured, the operations
// listener (ops_listen: the ops routes are then served only there). Keep-alive; limits on
// header and body size; request, idle, write and handler timeouts; at most
// max_connections open connections per listener. Beyond that, a new connection is answered
// `503 Service Unavailable` (JSON error "overloaded", Retry-After: 1, Connection: close)
// without reading its request, and closed; while more than 64 such answers are already
// being written, further connections are closed at accept without an answer. Every answer
// carries the security headers (HttpMessage::apply_security_headers). `stop` stops
// accepting, closes idle connections, lets requests in flight finish (answered with
// Connection: close) within shutdown_grace, then closes what is left.
//
// Metrics (in the registry given): ussdgw_http_requests_total{route,method,status},
// ussdgw_http_request_duration_seconds{route}, and per listener the open connections,
// accepted and rejected connections and read timeouts. Single-threaded: use it on the
// io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "engine/base/Lifetime.hpp"
#include "engine/base/Metrics.hpp"
#include "engine/http/HttpConfig.hpp"
#include "engine/http/Router.hpp"

namespace ussdgw::http {

class Listener;
struct RequestMetrics;

class HttpServer {
  public:
    // `router` and `registry` must outlive the server.
    HttpServer(boost::asio::io_context& io, HttpConfig config, const Router& router,
               metrics::Registry& registry);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Opens the listeners and logs `http.listening listener=main address=... port=N`
    // (and listener=ops). Throws std::runtime_error naming the address when it cannot.
    void start();
    // The bound ports (after start).
    std::uint16_t port() const;
    std::optional<std::uint16_t> ops_port() const;
    // See the header comment; `done` runs (on the loop) once every connection is closed.
    void stop(std::function<void()> done);

    std::size_t connection_count() const;
    const HttpConfig& config() const { return config_; }

  private:
    void check_stopped();

    boost::asio::io_context& io_;
    HttpConfig config_;
    const Router& router_;
    metrics::Registry& registry_;
    std::shared_ptr<RequestMetrics> request_metrics_;
    std::vector<std::shared_ptr<Listener>> listeners_;
    boost::asio::steady_timer grace_timer_;
    bool stopping_ = false;
    std::function<void()> stop_done_;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::http
