// The [http] section: the HTTP server's addresses (listen, ops_listen), limits and
// timeouts, parsed into http::HttpConfig. Every key is documented in conf/ussdgw.toml.
#pragma once

#include "engine/config/ConfigReader.hpp"
#include "engine/http/HttpConfig.hpp"

namespace ussdgw::config {

// Throws ConfigError (file, line, key) for unknown keys and bad values.
http::HttpConfig parse_http_section(const ConfigTable& table);

}  // namespace ussdgw::config
