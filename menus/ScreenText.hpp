// Screen text: {placeholder} substitution, the GSM 7-bit / UCS2 choice and the 182/80
// character limit, and the paging of menu options. The same functions check texts at load
// (with the widest placeholder values) and render them in a dialogue.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/GsmText.hpp"
#include "engine/base/Result.hpp"
#include "menus/MenuSet.hpp"

namespace ussdgw::menus {

struct ScreenFit {
    gsm::Encoding encoding = gsm::Encoding::gsm7;
    std::size_t length = 0;  // septets (gsm7) or UTF-16 units (ucs2)
    std::size_t limit = kMaxGsm7Screen;
    bool fits() const { return length <= limit; }
};
ScreenFit measure_screen(std::string_view text);

// Names of the {placeholders} in a text; an unknown name or an unmatched brace is an error.
Result<std::vector<std::string>> placeholders_of(std::string_view text);
// Replaces {name} by vars[name] (cut to the field's max width); unknown names stay empty.
std::string substitute(std::string_view text, const std::map<std::string, std::string>& vars);
// The text with every placeholder replaced by the widest value it may take.
std::string widest(std::string_view text);

// "key label" lines under an optional header.
std::string menu_page_text(std::string_view header, const std::vector<Option>& options,
                           const Page& page, const std::string& language, std::string_view more_key,
                           std::string_view more_label);

// Splits options into pages that fit one screen each; nullopt when even one option (with
// the header on the first page and the "more" line) does not fit.
std::optional<std::vector<Page>> paginate(std::string_view header_widest,
                                          const std::vector<Option>& options,
                                          const std::string& language, std::string_view more_key,
                                          std::string_view more_label);

}  // namespace ussdgw::menus
