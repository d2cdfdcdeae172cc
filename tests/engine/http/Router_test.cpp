#include "engine/http/Router.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace router_test {

using namespace ussdgw::http;

namespace {

HttpRequest make(Verb method, std::string target) {
    Request m{method, target, 11};
    m.set(bhttp::field::host, "x");
    return HttpRequest(std::move(m), "127.0.0.1", 1, "main");
}

// Dispatches and returns the answer (the handlers here answer at once).
struct Answered {
    std::optional<Response> res;
    std::string route;
};
Answered run(const Router& r, Verb method, std::string target, unsigned scopes = kAllScopes) {
    Answered a;
    auto req = make(method, std::move(target));
    a.route = std::string(
        r.dispatch(req, scopes, HttpResponder([&a](Response&& res) { a.res = std::move(res); })));
    return a;
}

Router::Handler says(std::string text) {
    return [text](const HttpRequest&, HttpResponder respond) {
        respond.send(text_response(HttpStatus::ok, text));
    };
}

}  // namespace

TEST_CASE("router: literal and parameter segments, decoded parameters") {
    Router r;
    r.add(Verb::get, "/healthz", says("health"));
    r.add(Verb::get, "/api/v1/subscribers/{msisdn}",
          [](const HttpRequest& req, HttpResponder respond) {
              respond.send(text_response(HttpStatus::ok, std::string(*req.param("msisdn"))));
          });
    r.add(Verb::get, "/api/v1/subscribers/{msisdn}/audit", says("audit"));

    auto a = run(r, Verb::get, "/healthz");
    REQUIRE(a.res);
    CHECK(a.res->body() == "health");
    CHECK(a.route == "/healthz");

    a = run(r, Verb::get, "/api/v1/subscribers/%2B375291000001?x=1");
    REQUIRE(a.res);
    CHECK(a.res->body() == "+375291000001");
    CHECK(a.route == "/api/v1/subscribers/{msisdn}");

    CHECK(run(r, Verb::get, "/api/v1/subscribers/1/audit").res->body() == "audit");
    for (const char* miss : {"/", "/healthz/", "/HEALTHZ", "/api/v1/subscribers",
                             "/api/v1/subscribers/", "/api/v1/subscribers/%zz", "//healthz"}) {
        CAPTURE(miss);
        auto m = run(r, Verb::get, miss);
        REQUIRE(m.res);
        CHECK(m.res->result() == HttpStatus::not_found);
        CHECK(m.res->body() == R"({"error":{"code":"not_found","message":"no such resource"}})");
        CHECK(m.route == "unmatched");
    }
}

TEST_CASE("router: a known path with another method is 405 with Allow; HEAD follows GET") {
    Router r;
    r.add(Verb::get, "/metrics", says("m"));
    r.add(Verb::post, "/ussd", says("END bye"));
    r.add(Verb::put, "/ussd", says("put"));

    auto a = run(r, Verb::delete_, "/metrics");
    REQUIRE(a.res);
    CHECK(a.res->result() == HttpStatus::method_not_allowed);
    CHECK((*a.res)[bhttp::field::allow] == "GET, HEAD");
    CHECK(a.res->body().find("\"code\":\"method_not_allowed\"") != std::string::npos);
    CHECK(a.route == "/metrics");

    a = run(r, Verb::get, "/ussd");
    CHECK((*a.res)[bhttp::field::allow] == "POST, PUT");

    a = run(r, Verb::head, "/metrics");
    CHECK(a.res->result() == HttpStatus::ok);  // the connection strips the body
    CHECK(a.route == "/metrics");
}

TEST_CASE("router: scopes keep operations routes to their listener") {
    Router r;
    r.add(Verb::get, "/metrics", says("m"), Scope::ops);
    r.add(Verb::post, "/ussd", says("u"), Scope::main);
    CHECK(run(r, Verb::get, "/metrics", kAllScopes).res->result() == HttpStatus::ok);
    CHECK(run(r, Verb::get, "/metrics", static_cast<unsigned>(Scope::main)).res->result() ==
          HttpStatus::not_found);
    CHECK(run(r, Verb::post, "/ussd", static_cast<unsigned>(Scope::ops)).res->result() ==
          HttpStatus::not_found);
}

TEST_CASE("router: malformed or duplicate routes are refused when added") {
    Router r;
    r.add(Verb::get, "/a/{id}", says("a"));
    CHECK_THROWS_AS(r.add(Verb::get, "/a/{other}", says("b")), std::logic_error);
    CHECK_NOTHROW(r.add(Verb::post, "/a/{id}", says("c")));
    CHECK_THROWS_AS(r.add(Verb::get, "relative", says("x")), std::logic_error);
    CHECK_THROWS_AS(r.add(Verb::get, "/a//b", says("x")), std::logic_error);
    CHECK_THROWS_AS(r.add(Verb::get, "/a/{b", says("x")), std::logic_error);
    CHECK_THROWS_AS(r.add(Verb::get, "/a?x=1", says("x")), std::logic_error);
}

TEST_CASE("responder: answers once, later and from another thread; a dropped one answers 500") {
    std::vector<Response> sent;
    auto sink = [&sent](Response&& r) { sent.push_back(std::move(r)); };
    {
        HttpResponder a(sink);
        HttpResponder copy = a;
        CHECK_FALSE(a.answered());
        copy.send(text_response(HttpStatus::ok, "first"));
        a.send(text_response(HttpStatus::ok, "second"));
        CHECK(a.answered());
    }
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].body() == "first");

    sent.clear();
    {
        HttpResponder kept(sink);
        std::thread worker([kept] { kept.send_error(HttpStatus::conflict, "busy", "later"); });
        worker.join();
    }
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].result() == HttpStatus::conflict);

    sent.clear();
    { HttpResponder dropped(sink); }
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].result() == HttpStatus::internal_server_error);
    CHECK(sent[0].body().find("\"code\":\"internal\"") != std::string::npos);
}

TEST_CASE("router: an asynchronous handler answers after dispatch returned") {
    Router r;
    std::optional<HttpResponder> parked;
    r.add(Verb::post, "/slow",
          [&](const HttpRequest&, HttpResponder respond) { parked = respond; });
    std::optional<Response> got;
    auto req = make(Verb::post, "/slow");
    r.dispatch(req, kAllScopes, HttpResponder([&](Response&& res) { got = std::move(res); }));
    CHECK_FALSE(got);
    parked->send(json_response(HttpStatus::created, "{}"));
    REQUIRE(got);
    CHECK(got->result() == HttpStatus::created);
}

TEST_CASE("router: a handler that throws costs its request a 500, not the engine") {
    Router r;
    r.add(Verb::get, "/boom", [](const HttpRequest&, HttpResponder) {
        throw std::runtime_error("secret=hunter2 must not reach the log");
    });
    r.add(Verb::get, "/late", [](const HttpRequest&, HttpResponder respond) {
        respond.send(text_response(HttpStatus::ok, "answered"));
        throw std::runtime_error("after the answer");
    });
    auto a = run(r, Verb::get, "/boom");
    REQUIRE(a.res);
    CHECK(a.res->result() == HttpStatus::internal_server_error);
    CHECK(a.res->body().find("\"internal\"") != std::string::npos);
    CHECK(a.route == "/boom");

    a = run(r, Verb::get, "/late");  // already answered: the answer stands, no second one
    REQUIRE(a.res);
    CHECK(a.res->body() == "answered");
}

}  // namespace router_test
