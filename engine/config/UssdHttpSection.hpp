// The [[ussd.http]] entries: aggregator accounts of the HTTP USSD ingress (engine/http/ussd),
// parsed into http::HttpUssdAccount. Every key is documented in conf/ussdgw.toml.
#pragma once

#include <vector>

#include "engine/base/TomlReader.hpp"
#include "engine/http/ussd/HttpUssdConfig.hpp"

namespace ussdgw::config {

// Reads the "http" array of the [ussd] table `ussd` (marking it read); throws TomlError
// (file, line, key) for unknown keys and bad values. A password file is read here.
std::vector<http::HttpUssdAccount> parse_ussd_http_accounts(const TomlTable& ussd);

}  // namespace ussdgw::config
