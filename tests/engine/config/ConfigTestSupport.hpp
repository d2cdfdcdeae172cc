// Helpers for the configuration tests: a whole engine configuration parsed from TOML text
// (as the file conf/t.toml), and the message of the TomlError it throws ("" when none).
#pragma once

#include <string>
#include <string_view>

#include "engine/config/EngineConfig.hpp"

namespace ussdgw::test {

inline config::EngineConfig parse_config(std::string_view text) {
    return config::parse_engine_config(parse_toml(text, "conf/t.toml"));
}

inline std::string config_error_of(std::string_view text) {
    try {
        parse_config(text);
    } catch (const TomlError& e) {
        return e.what();
    }
    return "";
}

}  // namespace ussdgw::test
