// The HTTP server over real loopback TCP: routing answers, the connection limit, shutdown
// and the ops listener. (One connection's reading, limits, timeouts and keep-alive are in
// HttpConnection_test.cpp; curl and raw-socket tests of the whole binary are in
// tests/interop/http_test.py.)
#include "engine/http/HttpServer.hpp"

#include <doctest/doctest.h>

#include <boost/beast/http/read.hpp>
#include <vector>

#include "engine/http/HttpTestSupport.hpp"

namespace http_server_test {

using namespace ussdgw;
using namespace ussdgw::http;
using namespace std::chrono_literals;
using test::add_echo_routes;
using test::get;
using test::has_line;
using test::RawClient;
using test::small_config;
using test::TestHttpServer;

namespace {

// Waits (bounded) until a handler holds one request's responder.
bool wait_parked(TestHttpServer& s, const std::vector<HttpResponder>& parked) {
    for (int i = 0; i < 200; ++i) {
        if (test::on_loop(s.io(), [&] { return parked.size(); }) == 1) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

}  // namespace

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

}  // namespace http_server_test
