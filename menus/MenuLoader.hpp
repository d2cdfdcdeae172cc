// Loads menu data files (TOML) into a validated MenuSet. Every error names the file, the
// line and the dotted key: `menus/cabinet/access.toml:42: key 'screens.root.options[2].next':
// no screen 'acess'`. Every error of every file is reported (ordered by file and line), not
// only the first; unknown keys are errors. A file with a TOML syntax error is reported alone
// (with the other files' syntax errors): what it defines is unknown.
//
// A set is every *.toml of one directory (read in name order). Format:
//
//   [menu]                       exactly once in the set
//   languages = ["ru", "en", "be"]   every text must exist in each
//   default_language = "ru"      (default: the first language)
//   more_key = "00"              the paging option's key (default "#")
//   max_invalid_answers = 3      malformed answers before the dialogue ends (1..10)
//   [menu.messages]              texts the engine shows itself: more, invalid_request,
//                                unknown_service, too_many_errors, service_unavailable, timeout
//
//   [[service_codes]]            code = "*141#", start = "root", language = "en" (optional:
//                                forces the language for this code). The longest matching
//                                code wins, so "*141*1#" may start elsewhere than "*141#".
//
//   [screens.ID]                 type = one of:
//     "menu"    text (header), options = [{ key = "1", label = TEXT, next = "ID" }, ...],
//               optional argument (below). Options are paged when they do not fit.
//     "input"   text (prompt), invalid (prompt after a malformed answer; default: text),
//               save_as = "variable", secret = true|false, digits = true|false,
//               min_length, max_length, shortcut = true|false (may be answered from the
//               dialled string; never for secrets), next = "ID"
//     "action"  action = one of DomainAction.hpp's actions, with = { param = "variable" }
//               (puk from a secret input, target from a plain one), [screens.ID.outcomes]
//               outcome code = "ID" for every outcome of the action, or a `default`;
//               optional argument
//     "final"   text; ends the dialogue
//   argument = { save_as, digits, min_length, max_length, next }: a trailing part of the
//   dialled string (*141*3*6*375291234567#) that no option matched is saved and goes to next.
//
// TEXT is a table with one string per language ({ ru = "...", en = "...", be = "..." }) or
// one string for every language. Texts may hold {msisdn}, {target}, {attempts_left},
// {until} and {retry_after}; each is checked at its widest value. A screen must fit 182 GSM
// 7-bit characters (extension characters such as € count two) or, when any character is
// outside that alphabet, 80 UCS2 characters. menus/cabinet/ is a complete example.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/base/TomlError.hpp"
#include "menus/MenuSet.hpp"

namespace ussdgw::menus {

// The set, or every error found (each what() is "FILE:LINE: key 'KEY': MESSAGE").
using MenuLoadResult = Result<MenuSetPtr, std::vector<TomlError>>;

// All *.toml files of a directory, in name order.
MenuLoadResult load_menu_directory(const std::string& directory, std::uint64_t version = 1);
// (name used in errors, TOML text) pairs, for tests and tools.
MenuLoadResult load_menu_texts(const std::vector<std::pair<std::string, std::string>>& files,
                               std::uint64_t version = 1, const std::string& source = "memory");

}  // namespace ussdgw::menus
