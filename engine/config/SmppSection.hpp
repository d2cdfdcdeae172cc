// The [smpp] section of the configuration: client links ([[smpp.client]]), the server
// listener ([smpp.server]) and its accounts ([[smpp.server.account]]), parsed into the
// plain structs of smpp/SmppConfig.hpp. Every key is documented in conf/ussdgw.toml.
#pragma once

#include "engine/base/TomlReader.hpp"
#include "smpp/SmppConfig.hpp"

namespace ussdgw::config {

// Throws TomlError (file, line, key) for unknown keys and bad values.
smpp::SmppConfig parse_smpp_section(const TomlTable& table);

// "127.0.0.1:2776" -> host and port; false when malformed.
bool parse_host_port(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace ussdgw::config
