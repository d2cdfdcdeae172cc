// Helpers for the HTTP server and connection tests: an HttpServer on its own io_context
// thread with a router the test fills, and a blocking raw-socket client (every read bounded
// by a socket receive timeout) that writes exact bytes and parses answers with Beast.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "engine/base/Metrics.hpp"
#include "engine/http/HttpServer.hpp"

namespace ussdgw::test {

namespace asio = boost::asio;
using asio::ip::tcp;

// Runs `fn` on the server's loop and waits for it.
template <typename Fn>
auto on_loop(asio::io_context& io, Fn fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto f = task.get_future();
    asio::post(io, [&task] { task(); });
    return f.get();
}

class TestHttpServer {
  public:
    explicit TestHttpServer(http::HttpConfig cfg) : cfg_(std::move(cfg)) {
        cfg_.listen.port = 0;
        if (cfg_.ops_listen) cfg_.ops_listen->port = 0;
    }
    ~TestHttpServer() { stop(); }

    http::Router& router() { return router_; }
    metrics::Registry& registry() { return registry_; }
    asio::io_context& io() { return io_; }
    http::HttpServer& server() { return *server_; }

    void start() {
        server_ = std::make_unique<http::HttpServer>(io_, cfg_, router_, registry_);
        server_->start();
        port_ = server_->port();
        thread_ = std::thread([this] { io_.run(); });
    }
    std::uint16_t port() const { return port_; }
    std::uint16_t ops_port() { return *server_->ops_port(); }

    // Starts the server's stop; the returned future is ready when `done` ran.
    std::shared_future<void> begin_stop() {
        auto done = std::make_shared<std::promise<void>>();
        std::shared_future<void> f = done->get_future().share();
        asio::post(io_, [this, done] { server_->stop([done] { done->set_value(); }); });
        return f;
    }
    void stop() {
        if (!thread_.joinable()) return;
        auto f = begin_stop();
        f.wait_for(std::chrono::seconds(10));
        asio::post(io_, [this] { server_.reset(); });
        io_.stop();
        thread_.join();
    }
    std::string metrics() {
        return on_loop(io_, [this] { return registry_.render(); });
    }

  private:
    http::HttpConfig cfg_;
    asio::io_context io_;
    // Keeps run() going while the server has nothing to do (after stop, say).
    asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
    metrics::Registry registry_{"ussdgw_"};
    http::Router router_;
    std::unique_ptr<http::HttpServer> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// A client on one connection whose every read gives up after `timeout` (async operations
// on its own io_context, run for at most that long).
class RawClient {
  public:
    explicit RawClient(std::uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5))
        : socket_(io_), timeout_(timeout) {
        socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    }

    void write(std::string_view bytes) {
        boost::system::error_code ec;
        asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    }
    // The next answer, or nullopt when the connection closed or the read timed out.
    std::optional<http::Response> read() {
        http::Response res;
        auto ec =
            run([&](auto done) { boost::beast::http::async_read(socket_, buffer_, res, done); });
        if (ec) {
            last_error = ec;
            return std::nullopt;
        }
        return res;
    }
    // True when the server closed the connection (EOF or reset) within the timeout.
    bool closed_by_peer() {
        if (buffer_.size() > 0) return false;
        char c;
        auto ec = run([&](auto done) { socket_.async_read_some(asio::buffer(&c, 1), done); });
        return ec == asio::error::eof || ec == asio::error::connection_reset;
    }
    std::optional<http::Response> request(std::string_view raw) {
        write(raw);
        return read();
    }
    tcp::socket& socket() { return socket_; }
    boost::system::error_code last_error;

  private:
    // Starts an operation, runs the client's loop for at most the timeout; a read still
    // pending then is cancelled and reported as timed_out.
    template <typename Start>
    boost::system::error_code run(Start start) {
        boost::system::error_code result = asio::error::would_block;
        bool finished = false;
        start([&](const boost::system::error_code& ec, std::size_t) {
            result = ec;
            finished = true;
        });
        io_.restart();
        io_.run_for(timeout_);
        if (!finished) {
            boost::system::error_code ignored;
            socket_.cancel(ignored);
            io_.restart();
            io_.run();
            result = asio::error::timed_out;
        }
        return result;
    }

    asio::io_context io_;
    tcp::socket socket_;
    std::chrono::milliseconds timeout_;
    boost::beast::flat_buffer buffer_;
};

// A small server configuration: short timeouts, small limits, four connections.
inline http::HttpConfig small_config() {
    using namespace std::chrono_literals;
    http::HttpConfig c;
    c.max_header_bytes = 2048;
    c.max_body_bytes = 1024;
    c.request_timeout = 400ms;
    c.idle_timeout = 400ms;
    c.handler_timeout = 400ms;
    c.shutdown_grace = 400ms;
    c.max_connections = 4;
    return c;
}

// GET /healthz answers {"status":"ok"}; POST /echo answers its body.
inline void add_echo_routes(http::Router& r) {
    using namespace http;
    r.add(Verb::get, "/healthz", [](const HttpRequest&, HttpResponder respond) {
        respond.send(json_response(HttpStatus::ok, R"({"status":"ok"})"));
    });
    r.add(Verb::post, "/echo", [](const HttpRequest& req, HttpResponder respond) {
        respond.send(text_response(HttpStatus::ok, req.body()));
    });
}

inline std::string get(std::string_view path, std::string_view extra = "") {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra) +
           "\r\n";
}

inline bool has_line(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

}  // namespace ussdgw::test
