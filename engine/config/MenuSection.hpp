// The [menus] section: where the menu files are, dialogue timeouts, the default language.
#pragma once

#include "engine/config/ConfigReader.hpp"
#include "menus/MenuConfig.hpp"

namespace ussdgw::config {

menus::MenuConfig parse_menu_section(const ConfigTable& table);

}  // namespace ussdgw::config
