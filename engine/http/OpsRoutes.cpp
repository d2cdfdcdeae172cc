#include "engine/http/OpsRoutes.hpp"

#include <nlohmann/json.hpp>

#include "engine/base/Metrics.hpp"

namespace ussdgw::http {

Response readiness_response(const std::vector<ReadinessCheck>& checks) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::string failed;
    for (const auto& c : checks) {
        list.push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
        if (c.ok) continue;
        if (!failed.empty()) failed += "; ";
        failed += c.name + ": " + c.detail;
    }
    nlohmann::ordered_json body = nlohmann::ordered_json::object();
    if (!failed.empty()) body["error"] = {{"code", "not_ready"}, {"message", failed}};
    body["ready"] = failed.empty();
    body["checks"] = std::move(list);
    return json_response(
        failed.empty() ? HttpStatus::ok : HttpStatus::service_unavailable,
        body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void add_ops_routes(Router& router, OpsSources sources) {
    router.add(
        Verb::get, "/healthz",
        [](const HttpRequest&, HttpResponder respond) {
            respond.send(json_response(HttpStatus::ok, R"({"status":"ok"})"));
        },
        Scope::ops);
    router.add(
        Verb::get, "/readyz",
        [readiness = sources.readiness](const HttpRequest&, HttpResponder respond) {
            respond.send(
                readiness_response(readiness ? readiness() : std::vector<ReadinessCheck>{}));
        },
        Scope::ops);
    router.add(
        Verb::get, "/metrics",
        [metrics = sources.metrics](const HttpRequest&, HttpResponder respond) {
            respond.send(text_response(HttpStatus::ok, metrics ? metrics() : std::string(),
                                       metrics::kTextContentType));
        },
        Scope::ops);
}

}  // namespace ussdgw::http
