#include "menus/UssdString.hpp"

namespace ussdgw::menus {

Result<std::vector<std::string>> parse_ussd_string(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                             text.back() == '\n'))
        text.remove_suffix(1);
    if (text.empty()) return fail("ussd.empty", "empty USSD string");
    if (text.size() > kMaxUssdStringLength)
        return fail("ussd.too_long", "USSD string longer than 64 characters");
    if (text.size() < 3 || text.front() != '*' || text.back() != '#')
        return fail("ussd.syntax", "a USSD string is *digits*...#");
    std::string_view body = text.substr(1, text.size() - 2);
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto star = body.find('*', start);
        std::string_view part = body.substr(
            start, star == std::string_view::npos ? std::string_view::npos : star - start);
        if (part.empty()) return fail("ussd.syntax", "empty part in the USSD string");
        if (part.size() > kMaxUssdPartDigits)
            return fail("ussd.too_long", "a part of the USSD string is too long");
        for (char c : part)
            if (c < '0' || c > '9') return fail("ussd.syntax", "only digits between '*'");
        parts.emplace_back(part);
        if (parts.size() > kMaxUssdParts)
            return fail("ussd.too_long", "too many parts in the USSD string");
        if (star == std::string_view::npos) break;
        start = star + 1;
    }
    return parts;
}

}  // namespace ussdgw::menus
