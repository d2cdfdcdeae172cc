#include "engine/http/HttpMessage.hpp"

#include <doctest/doctest.h>

namespace http_message_test {

using namespace ussdgw::http;

TEST_CASE("http message: origin-form targets split into path and query") {
    auto t = split_target("/api/v1/x?a=1&b=2");
    REQUIRE(t);
    CHECK(t->path == "/api/v1/x");
    CHECK(t->query == "a=1&b=2");
    CHECK(split_target("/")->path == "/");
    CHECK_FALSE(split_target(""));
    CHECK_FALSE(split_target("*"));
    CHECK_FALSE(split_target("http://host/x"));
    CHECK_FALSE(split_target("/a b"));
    CHECK_FALSE(split_target("/a#frag"));
}

TEST_CASE("http message: percent decoding and forms") {
    CHECK(percent_decode("a%20b+c", true) == "a b c");
    CHECK(percent_decode("a%20b+c", false) == "a b+c");
    CHECK(percent_decode("%2A141%2a0%23", false) == "*141*0#");
    CHECK_FALSE(percent_decode("%", false));
    CHECK_FALSE(percent_decode("%4", false));
    CHECK_FALSE(percent_decode("%zz", false));
    auto f = parse_form("sessionId=abc&text=1*2&phoneNumber=%2B375291000001&&empty=&flag");
    REQUIRE(f);
    CHECK(*f == Fields{{"sessionId", "abc"},
                       {"text", "1*2"},
                       {"phoneNumber", "+375291000001"},
                       {"empty", ""},
                       {"flag", ""}});
    CHECK_FALSE(parse_form("a=%G0"));
}

TEST_CASE("http message: the request exposes path, query, headers and parameters") {
    Request m{Verb::get, "/subscribers/375291000001?lang=ru&x=%20y", 11};
    m.set(bhttp::field::host, "localhost");
    HttpRequest req(std::move(m), "127.0.0.1", 5555, "main");
    HttpRequest moved = std::move(req);  // offsets survive a move of the message
    CHECK(moved.path() == "/subscribers/375291000001");
    CHECK(moved.query() == "lang=ru&x=%20y");
    CHECK(moved.query_param("x") == " y");
    CHECK_FALSE(moved.query_param("missing"));
    CHECK(moved.header("host") == "localhost");
    CHECK(moved.header("x-absent").empty());
    moved.set_params({{"msisdn", "375291000001"}});
    CHECK(moved.param("msisdn") == "375291000001");
    CHECK_FALSE(moved.param("other"));
    CHECK(moved.peer_address() == "127.0.0.1");
    CHECK(moved.listener() == "main");
}

TEST_CASE("http message: JSON error bodies escape their text, also broken UTF-8") {
    CHECK(error_body("not_found", "no such resource") ==
          R"({"error":{"code":"not_found","message":"no such resource"}})");
    CHECK(error_body("bad", "quote \" and \\ and \n") ==
          R"({"error":{"code":"bad","message":"quote \" and \\ and \n"}})");
    CHECK(error_body("bad", std::string("a\xff") + "b") ==
          "{\"error\":{\"code\":\"bad\",\"message\":\"a\xef\xbf\xbd"
          "b\"}}");
    auto res = error_response(HttpStatus::not_found, "not_found", "x");
    CHECK(res.result() == HttpStatus::not_found);
    CHECK(res[bhttp::field::content_type] == "application/json");
}

TEST_CASE("http message: security headers on every answer, unless a route set its own") {
    auto res = text_response(HttpStatus::ok, "hi");
    res.set(bhttp::field::cache_control, "max-age=60");
    apply_security_headers(res);
    CHECK(res[bhttp::field::cache_control] == "max-age=60");
    CHECK(res["X-Content-Type-Options"] == "nosniff");
    CHECK(res["X-Frame-Options"] == "DENY");
    CHECK(res["Referrer-Policy"] == "no-referrer");
    CHECK(res["Content-Security-Policy"].starts_with("default-src 'self'"));
    auto plain = json_response(HttpStatus::ok, "{}");
    apply_security_headers(plain);
    CHECK(plain[bhttp::field::cache_control] == "no-store");
}

}  // namespace http_message_test
