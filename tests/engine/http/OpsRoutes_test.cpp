#include "engine/http/OpsRoutes.hpp"

#include <doctest/doctest.h>

#include <optional>

namespace ops_routes_test {

using namespace ussdgw::http;

namespace {
Response call(const Router& r, std::string target) {
    Request m{Verb::get, target, 11};
    HttpRequest req(std::move(m), "127.0.0.1", 1, "ops");
    std::optional<Response> out;
    r.dispatch(req, kAllScopes, HttpResponder([&out](Response&& res) { out = std::move(res); }));
    REQUIRE(out);
    return *out;
}
}  // namespace

TEST_CASE("ops routes: healthz, readyz ready and not, metrics text") {
    std::vector<ReadinessCheck> checks{{"database", true, "var/ussdgw.db"},
                                       {"menus", true, "version 1"}};
    Router r;
    add_ops_routes(r, {[] { return std::string("# HELP x X.\n# TYPE x gauge\nx 1\n"); },
                       [&checks] { return checks; }});
    auto h = call(r, "/healthz");
    CHECK(h.result() == HttpStatus::ok);
    CHECK(h.body() == R"({"status":"ok"})");

    auto ready = call(r, "/readyz");
    CHECK(ready.result() == HttpStatus::ok);
    CHECK(ready.body() ==
          R"({"ready":true,"checks":[{"name":"database","ok":true,"detail":"var/ussdgw.db"},)"
          R"({"name":"menus","ok":true,"detail":"version 1"}]})");

    checks.push_back({"smpp.link.ussdc", false, "not bound"});
    checks.push_back({"engine", false, "shutting down"});
    auto not_ready = call(r, "/readyz");
    CHECK(not_ready.result() == HttpStatus::service_unavailable);
    CHECK(not_ready.body().starts_with(
        R"({"error":{"code":"not_ready","message":"smpp.link.ussdc: not bound; engine: shutting down"},"ready":false,)"));

    auto m = call(r, "/metrics");
    CHECK(m.result() == HttpStatus::ok);
    CHECK(m[bhttp::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
    CHECK(m.body() == "# HELP x X.\n# TYPE x gauge\nx 1\n");
}

}  // namespace ops_routes_test
