// The [menus] section of the engine configuration, as a plain struct (parsed by
// engine/config/MenuSection.cpp).
#pragma once

#include <chrono>
#include <string>

#include "menus/UssdDialogue.hpp"

namespace ussdgw::menus {

struct MenuConfig {
    std::string directory = "menus/cabinet";  // the menu files (*.toml)
    DialogueSettings dialogue;                // step/dialogue timeouts, default language
};

}  // namespace ussdgw::menus
