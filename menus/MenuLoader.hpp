// Loads menu data files (TOML) into a validated MenuSet. Every error names the file, the
// line and the dotted key: `menus/cabinet/access.toml:42: key 'screens.root.options[2].next':
// no screen 'acess'`. Loading stops at the first error.
//
// File format (one set may span several files in one directory, read in name order):
//   [menu]                      exactly once: languages, default_language, more_key,
//                               max_invalid_answers, and [menu.messages] texts
//   [[service_codes]]           code = "*141#", start = "root", optional language
//   [screens.<id>]              type = "menu" | "input" | "action" | "final", text, ...
// A text is a table with one string per language ({ ru = "...", en = "...", be = "..." })
// or a single string used for every language. See menus/cabinet/ for a full example.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/Result.hpp"
#include "menus/MenuSet.hpp"

namespace ussdgw::menus {

struct MenuError {
    std::string file;
    std::uint32_t line = 0;
    std::string key;
    std::string message;
    // "FILE:LINE: key 'KEY': MESSAGE" (without the key part when there is no key).
    std::string to_string() const;
};

using MenuLoadResult = Result<MenuSetPtr, std::vector<MenuError>>;

// All *.toml files of a directory, in name order.
MenuLoadResult load_menu_directory(const std::string& directory, std::uint64_t version = 1);
// (name used in errors, TOML text) pairs, for tests and tools.
MenuLoadResult load_menu_texts(const std::vector<std::pair<std::string, std::string>>& files,
                               std::uint64_t version = 1, const std::string& source = "memory");

}  // namespace ussdgw::menus
