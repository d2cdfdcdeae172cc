// The [api] section (the cabinet API: sessions, limits, the password policy, one-time codes
// and their SMS texts, the service catalogue, the staff's tokens) and the [web] section (the
// cabinet page's files). Every key is documented in conf/ussdgw.toml.
#pragma once

#include "engine/api/ApiConfig.hpp"
#include "engine/config/ConfigReader.hpp"

namespace ussdgw::config {

// Throws ConfigError (file, line, key) for unknown keys and bad values.
api::ApiConfig parse_api_section(const ConfigTable& table);
api::WebConfig parse_web_section(const ConfigTable& table);

}  // namespace ussdgw::config
