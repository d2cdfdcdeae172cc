// HttpConfig: the plain settings of the HTTP server ([http] in conf/ussdgw.toml; parsed and
// validated by engine/config/HttpSection). Every key is documented in conf/ussdgw.toml.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ussdgw::http {

struct HttpEndpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = a free port (the log line http.listening tells it)
};

struct HttpConfig {
    bool enabled = true;
    HttpEndpoint listen;  // every route (or all but the operations routes with ops_listen)
    // When set, /metrics, /healthz and /readyz are served only on this address.
    std::optional<HttpEndpoint> ops_listen;
    std::uint32_t max_connections = 1024;  // per listener, open at once
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 64 * 1024;
    // From the first byte of a request to its last (slow headers or slow body: closed).
    std::chrono::milliseconds request_timeout{10'000};
    // A keep-alive connection waiting for its next request.
    std::chrono::milliseconds idle_timeout{60'000};
    // Writing one response to a peer that does not read.
    std::chrono::milliseconds write_timeout{10'000};
    // A handler that has not answered by then gets a 503 answer for it.
    std::chrono::milliseconds handler_timeout{30'000};
    // On stop: how long requests in flight may take to finish before everything is closed.
    std::chrono::milliseconds shutdown_grace{5'000};
};

}  // namespace ussdgw::http
