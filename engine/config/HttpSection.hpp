// The [http] section: the HTTP server's addresses (listen, ops_listen), limits and
// timeouts, parsed into http::HttpConfig. Every key is documented in conf/ussdgw.toml.
#pragma once

#include "engine/base/TomlReader.hpp"
#include "engine/http/HttpConfig.hpp"

namespace ussdgw::config {

// Throws TomlError (file, line, key) for unknown keys and bad values.
http::HttpConfig parse_http_section(const TomlTable& table);

}  // namespace ussdgw::config
