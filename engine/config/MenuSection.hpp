// The [menus] section: where the menu files are, dialogue timeouts, the default language.
#pragma once

#include "engine/base/TomlReader.hpp"
#include "menus/MenuConfig.hpp"

namespace ussdgw::config {

menus::MenuConfig parse_menu_section(const TomlTable& table);

}  // namespace ussdgw::config
