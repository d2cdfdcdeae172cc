// Parsing a dialled USSD string: `*141#` -> {"141"}, `*141*3*6#` -> {"141", "3", "6"}.
// The first part is the service code; the rest walk the menu tree (a shortcut) and may end
// with an argument such as an MSISDN. Anything else (no leading '*' or trailing '#', empty
// parts as in `**`, letters, more than 64 characters, 10 parts or 20 digits per part) is
// rejected with a stable code: ussd.empty, ussd.too_long, ussd.syntax.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/Result.hpp"

namespace ussdgw::menus {

inline constexpr std::size_t kMaxUssdStringLength = 64;
inline constexpr std::size_t kMaxUssdParts = 10;
inline constexpr std::size_t kMaxUssdPartDigits = 20;

Result<std::vector<std::string>> parse_ussd_string(std::string_view text);

}  // namespace ussdgw::menus
