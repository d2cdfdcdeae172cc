// The operations routes, in the `ops` scope (served on [http] ops_listen when it is set):
//   GET /healthz  200 {"status": "ok"} while the process serves HTTP at all.
//   GET /readyz   200 {"ready": true, "checks": [...]} when every check passes, else 503
//                 {"error": {"code": "not_ready", "message": <the failed checks>},
//                  "ready": false, "checks": [{"name", "ok", "detail"}, ...]}.
//   GET /metrics  the Prometheus text exposition of the engine's registry.
// The engine supplies what they report (OpsSources), so the routes know no engine type.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/http/Router.hpp"

namespace ussdgw::http {

struct ReadinessCheck {
    std::string name;  // "database", "menus", "smpp.link.ussdc", ...
    bool ok = false;
    std::string detail;  // why not, or a short fact ("version 3")
};

struct OpsSources {
    std::function<std::string()> metrics;                    // the exposition text
    std::function<std::vector<ReadinessCheck>()> readiness;  // every check, passed or not
};

void add_ops_routes(Router& router, OpsSources sources);

// The /readyz answer for these checks (exposed for tests).
Response readiness_response(const std::vector<ReadinessCheck>& checks);

}  // namespace ussdgw::http
