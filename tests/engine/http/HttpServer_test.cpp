// The HTTP server over real loopback TCP: keep-alive, limits, timeouts, the connection
// limit, asynchronous handlers and shutdown. (curl and raw-socket tests of the whole
// binary are in tests/interop/http_test.py.)
#include "engine/http/HttpServer.hpp"

#include <doctest/doctest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <vector>

#include "engine/http/HttpTestSupport.hpp"

using namespace ussdgw;
using namespace ussdgw::http;
using namespace std::chrono_literals;
using test::get;
using test::has_line;
using test::RawClient;
using test::TestHttpServer;

namespace {

HttpConfig small_config() {
    HttpConfig c;
    c.max_header_bytes = 2048;
    c.max_body_bytes = 1024;
    c.request_timeout = 400ms;
    c.idle_timeout = 400ms;
    c.handler_timeout = 400ms;
    c.shutdown_grace = 400ms;
    c.max_connections = 4;
    return c;
}

void add_echo_routes(Router& r) {
    r.add(Verb::get, "/healthz", [](const HttpRequest&, HttpResponder respond) {
        respond.send(json_response(HttpStatus::ok, R"({"status":"ok"})"));
    });
    r.add(Verb::post, "/echo", [](const HttpRequest& req, HttpResponder respond) {
        respond.send(text_response(HttpStatus::ok, req.body()));
    });
}

// Waits (bounded) until a handler holds one request's responder.
bool wait_parked(TestHttpServer& s, const std::vector<HttpResponder>& parked) {
    for (int i = 0; i < 200; ++i) {
        if (test::on_loop(s.io(), [&] { return parked.size(); }) == 1) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

TEST_CASE("http server: keep-alive serves several requests on one connection") {
    TestHttpServer s(small_config());
    add_echo_routes(s.router());
    s.start();
    RawClient c(s.port());
    for (int i = 0; i < 3; ++i) {
        auto res = c.request(get("/healthz"));
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::ok);
        CHECK(res->keep_alive());
        CHECK(res->body() == R"({"status":"ok"})");
        CHECK((*res)["X-Content-Type-Options"] == "nosniff");
        CHECK((*res)["Content-Security-Policy"].starts_with("default-src 'self'"));
    }
    // Two pipelined requests in one write are answered in order.
    c.write(get("/healthz") + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(c.read()->body() == R"({"status":"ok"})");
    CHECK(c.read()->body() == "hello");
    auto m = s.metrics();
    CHECK(has_line(m, R"(ussdgw_http_connections_accepted_total{listener="main"} 1)"));
    CHECK(
        has_line(m, R"(ussdgw_http_requests_total{route="/healthz",method="GET",status="200"} 4)"));
    CHECK(has_line(m, R"(ussdgw_http_requests_total{route="/echo",method="POST",status="200"} 1)"));
}

TEST_CASE("http server: unknown route 404, wrong method 405, HEAD without a body") {
    TestHttpServer s(small_config());
    add_echo_routes(s.router());
    s.start();
    RawClient c(s.port());
    auto res = c.request(get("/nope"));
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::not_found);
    CHECK(res->body() == R"({"error":{"code":"not_found","message":"no such resource"}})");
    CHECK(res->keep_alive());
    res = c.request("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::method_not_allowed);
    CHECK((*res)[bhttp::field::allow] == "GET, HEAD");
    // HEAD: Content-Length of the GET answer, no body (the next answer parses cleanly).
    c.write("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + get("/healthz"));
    boost::beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> head_parser;
    head_parser.skip(true);
    boost::system::error_code ec;
    bhttp::read(c.socket(), buf, head_parser, ec);
    REQUIRE_FALSE(ec);
    CHECK(head_parser.get()[bhttp::field::content_length] == "15");
    Response next;
    bhttp::read(c.socket(), buf, next, ec);
    REQUIRE_FALSE(ec);
    CHECK(next.body() == R"({"status":"ok"})");
    auto m = s.metrics();
    CHECK(has_line(m,
                   R"(ussdgw_http_requests_total{route="unmatched",method="GET",status="404"} 1)"));
    CHECK(has_line(
        m, R"(ussdgw_http_requests_total{route="/healthz",method="DELETE",status="405"} 1)"));
}

TEST_CASE("http server: oversize header 431, oversize body 413, bad input 400, then close") {
    TestHttpServer s(small_config());
    add_echo_routes(s.router());
    s.start();
    SUBCASE("header too large") {
        RawClient c(s.port());
        auto res = c.request(get("/healthz", "X-Big: " + std::string(4000, 'a') + "\r\n"));
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::request_header_fields_too_large);
        CHECK(res->body().find("\"code\":\"header_too_large\"") != std::string::npos);
        CHECK_FALSE(res->keep_alive());
        CHECK(c.closed_by_peer());
    }
    SUBCASE("body too large, refused from Content-Length before the body is sent") {
        RawClient c(s.port());
        auto res = c.request("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::payload_too_large);
        CHECK(c.closed_by_peer());
    }
    SUBCASE("chunked body too large") {
        RawClient c(s.port());
        std::string chunk(800, 'x');
        auto res = c.request(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
            "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::payload_too_large);
    }
    SUBCASE("junk bytes") {
        RawClient c(s.port());
        auto res = c.request(std::string("\x16\x03\x01\x00\xa5junk\r\n\r\n", 13));
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::bad_request);
        CHECK(res->body().find("\"code\":\"bad_request\"") != std::string::npos);
        CHECK(c.closed_by_peer());
    }
    SUBCASE("HTTP/1.1 without Host; HTTP/1.0 without Host is fine") {
        RawClient c(s.port());
        auto res = c.request("GET /healthz HTTP/1.1\r\n\r\n");
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::bad_request);
        CHECK(res->body().find("\"code\":\"missing_host\"") != std::string::npos);
        RawClient old(s.port());
        res = old.request("GET /healthz HTTP/1.0\r\n\r\n");
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::ok);
        CHECK_FALSE(res->keep_alive());
        CHECK(old.closed_by_peer());
    }
    SUBCASE("a target that is not a path") {
        RawClient c(s.port());
        auto res = c.request("GET http://example.org/healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        REQUIRE(res);
        CHECK(res->result() == HttpStatus::bad_request);
    }
    SUBCASE("Expect: 100-continue gets 100 Continue, then the answer") {
        RawClient c(s.port());
        c.write(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
        boost::beast::flat_buffer buf;
        bhttp::response_parser<bhttp::empty_body> interim;
        boost::system::error_code ec;
        bhttp::read_header(c.socket(), buf, interim, ec);
        REQUIRE_FALSE(ec);
        CHECK(interim.get().result() == HttpStatus::continue_);
        c.write("abc");
        Response res;
        bhttp::read(c.socket(), buf, res, ec);
        REQUIRE_FALSE(ec);
        CHECK(res.body() == "abc");
    }
    // The server still serves.
    RawClient after(s.port());
    CHECK(after.request(get("/healthz"))->result() == HttpStatus::ok);
}

TEST_CASE("http server: slow peers are closed after the request timeout, idle ones after idle") {
    TestHttpServer s(small_config());
    add_echo_routes(s.router());
    s.start();
    auto t0 = std::chrono::steady_clock::now();
    RawClient slow_headers(s.port(), 3s);
    slow_headers.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // no blank line, ever
    RawClient slow_body(s.port(), 3s);
    slow_body.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part");
    RawClient idle(s.port(), 3s);
    CHECK(slow_headers.closed_by_peer());
    CHECK(slow_body.closed_by_peer());
    CHECK(idle.closed_by_peer());
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= 350ms);
    CHECK(took < 2500ms);
    auto m = s.metrics();
    INFO(m);
    CHECK(has_line(m, R"(ussdgw_http_read_timeouts_total{listener="main"} 2)"));
    CHECK(has_line(m, R"(ussdgw_http_connections{listener="main"} 0)"));
}

TEST_CASE("http server: handlers answer later; an unanswered request gets 503 at the timeout") {
    TestHttpServer s(small_config());
    std::vector<HttpResponder> parked;
    auto timer = std::make_shared<boost::asio::steady_timer>(s.io());
    s.router().add(Verb::get, "/later", [timer](const HttpRequest&, HttpResponder respond) {
        timer->expires_after(50ms);
        timer->async_wait([respond](const boost::system::error_code&) {
            respond.send(text_response(HttpStatus::ok, "done"));
        });
    });
    s.router().add(Verb::get, "/never", [&parked](const HttpRequest&, HttpResponder respond) {
        parked.push_back(respond);
    });
    s.start();
    RawClient c(s.port());
    auto res = c.request(get("/later"));
    REQUIRE(res);
    CHECK(res->body() == "done");
    res = c.request(get("/never"));
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::service_unavailable);
    CHECK(res->body().find("\"code\":\"timeout\"") != std::string::npos);
    // The late answer is ignored; the connection goes on.
    test::on_loop(s.io(), [&] {
        parked.front().send(text_response(HttpStatus::ok, "too late"));
        return 0;
    });
    res = c.request(get("/later"));
    REQUIRE(res);
    CHECK(res->body() == "done");
    test::on_loop(s.io(), [&] {
        parked.clear();
        return 0;
    });
}

TEST_CASE("http server: beyond max_connections a new connection gets 503 and is closed") {
    TestHttpServer s(small_config());  // max_connections 4
    add_echo_routes(s.router());
    s.start();
    std::vector<std::unique_ptr<RawClient>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<RawClient>(s.port()));
        REQUIRE(held.back()->request(get("/healthz")));
    }
    RawClient over(s.port());
    auto res = over.read();  // answered without a request
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::service_unavailable);
    CHECK((*res)[bhttp::field::retry_after] == "1");
    CHECK(res->body().find("\"code\":\"overloaded\"") != std::string::npos);
    CHECK(over.closed_by_peer());
    CHECK(has_line(s.metrics(), R"(ussdgw_http_connections_rejected_total{listener="main"} 1)"));
    // The held connections still work; after one closes, a new one is served.
    CHECK(held[0]->request(get("/healthz"))->result() == HttpStatus::ok);
    held.pop_back();
    bool served = false;
    for (int i = 0; i < 50 && !served; ++i) {  // the close reaches the server asynchronously
        RawClient again(s.port());
        auto r = again.request(get("/healthz"));
        served = r && r->result() == HttpStatus::ok;
        if (!served) std::this_thread::sleep_for(20ms);
    }
    CHECK(served);
}

TEST_CASE("http server: stop closes idle connections and lets a request in flight finish") {
    auto cfg = small_config();
    cfg.shutdown_grace = 2s;
    cfg.handler_timeout = 5s;
    TestHttpServer s(cfg);
    std::vector<HttpResponder> parked;
    s.router().add(Verb::get, "/slow", [&parked](const HttpRequest&, HttpResponder respond) {
        parked.push_back(respond);
    });
    add_echo_routes(s.router());
    s.start();
    RawClient idle(s.port());
    REQUIRE(idle.request(get("/healthz")));
    RawClient busy(s.port());
    busy.write(get("/slow"));
    REQUIRE(wait_parked(s, parked));
    auto stopped = s.begin_stop();
    CHECK(idle.closed_by_peer());
    CHECK(stopped.wait_for(100ms) == std::future_status::timeout);  // busy is still open
    // New connections are refused now.
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket probe(io);
    boost::system::error_code ec;
    probe.connect({boost::asio::ip::make_address("127.0.0.1"), s.port()}, ec);
    CHECK(ec);
    test::on_loop(s.io(), [&] {
        parked.front().send(text_response(HttpStatus::ok, "finished"));
        parked.clear();
        return 0;
    });
    auto res = busy.read();
    REQUIRE(res);
    CHECK(res->body() == "finished");
    CHECK_FALSE(res->keep_alive());
    CHECK(stopped.wait_for(2s) == std::future_status::ready);
}

TEST_CASE("http server: stop closes a request that does not finish within the grace") {
    TestHttpServer s(small_config());  // shutdown_grace 400ms, handler_timeout 400ms
    std::vector<HttpResponder> parked;
    s.router().add(Verb::get, "/slow", [&parked](const HttpRequest&, HttpResponder respond) {
        parked.push_back(respond);
    });
    s.start();
    RawClient busy(s.port(), 3s);
    busy.write(get("/slow"));
    REQUIRE(wait_parked(s, parked));
    auto stopped = s.begin_stop();
    CHECK(stopped.wait_for(3s) == std::future_status::ready);
    test::on_loop(s.io(), [&] {
        parked.clear();  // the dropped responder's 500 goes nowhere: the connection is gone
        return 0;
    });
}

TEST_CASE("http server: with ops_listen the operations routes are served only there") {
    auto cfg = small_config();
    cfg.ops_listen = HttpEndpoint{"127.0.0.1", 0};
    TestHttpServer s(cfg);
    s.router().add(
        Verb::get, "/metrics",
        [](const HttpRequest&, HttpResponder respond) {
            respond.send(text_response(HttpStatus::ok, "m"));
        },
        Scope::ops);
    add_echo_routes(s.router());  // /healthz here is a main route
    s.start();
    RawClient main(s.port());
    CHECK(main.request(get("/metrics"))->result() == HttpStatus::not_found);
    CHECK(main.request(get("/healthz"))->result() == HttpStatus::ok);
    RawClient ops(s.ops_port());
    CHECK(ops.request(get("/metrics"))->body() == "m");
    CHECK(ops.request(get("/healthz"))->result() == HttpStatus::not_found);
}
