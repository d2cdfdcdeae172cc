// One HTTP/1.1 connection over real loopback TCP, served by a real HttpServer: keep-alive and
// pipelined requests, the header and body limits, bad input, the read timeouts that close slow
// peers, Connection: close, and handlers that answer later or not at all.
#include "engine/http/HttpConnection.hpp"

#include <doctest/doctest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <vector>

#include "engine/http/HttpTestSupport.hpp"

namespace http_connection_test {

using namespace ussdgw;
using namespace ussdgw::http;
using namespace std::chrono_literals;
using test::add_echo_routes;
using test::get;
using test::has_line;
using test::RawClient;
using test::small_config;
using test::TestHttpServer;

TEST_CASE("http connection: keep-alive serves several requests on one connection") {
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

TEST_CASE("http connection: oversize header 431, oversize body 413, bad input 400, then close") {
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

TEST_CASE(
    "http connection: slow peers are closed after the request timeout, idle ones after idle") {
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

TEST_CASE("http connection: handlers answer later; an unanswered request gets 503 at the timeout") {
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

TEST_CASE("http connection: a client's Connection: close is answered, then the socket closes") {
    TestHttpServer s(small_config());
    add_echo_routes(s.router());
    s.start();
    RawClient c(s.port());
    auto res = c.request(get("/healthz", "Connection: close\r\n"));
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::ok);
    CHECK_FALSE(res->keep_alive());
    CHECK(c.closed_by_peer());
}

TEST_CASE("http connection: a body of exactly the limit is served, one byte more is 413") {
    TestHttpServer s(small_config());  // max_body_bytes 1024
    add_echo_routes(s.router());
    s.start();
    auto post = [](const std::string& body) {
        return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body;
    };
    RawClient c(s.port());
    auto res = c.request(post(std::string(1024, 'b')));
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::ok);
    CHECK(res->body().size() == 1024);
    res = c.request(post(std::string(1025, 'b')));
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::payload_too_large);
    CHECK(c.closed_by_peer());
}

TEST_CASE("http connection: a request pipelined behind a refused one is not served") {
    TestHttpServer s(small_config());
    add_echo_routes(s.router());
    s.start();
    RawClient c(s.port());
    c.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + get("/healthz"));
    auto res = c.read();
    REQUIRE(res);
    CHECK(res->result() == HttpStatus::payload_too_large);
    CHECK_FALSE(c.read());  // the connection closed after the refusal
    auto m = s.metrics();
    CHECK_FALSE(m.find(R"(route="/healthz",method="GET",status="200")") != std::string::npos);
}

}  // namespace http_connection_test
