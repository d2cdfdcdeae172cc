#include "menus/MenuSet.hpp"

#include <algorithm>

#include "engine/base/GsmText.hpp"

namespace ussdgw::menus {

const Screen* MenuSet::screen(const std::string& id) const {
    auto it = screens.find(id);
    return it == screens.end() ? nullptr : &it->second;
}

bool MenuSet::has_language(const std::string& lang) const {
    return std::find(languages.begin(), languages.end(), lang) != languages.end();
}

const std::string& MenuSet::language_for(const std::string& preferred,
                                         const std::string& configured) const {
    if (has_language(preferred)) return preferred;
    if (has_language(configured)) return configured;
    return default_language;
}

const std::string& MenuSet::local(const LocalText& text, const std::string& language) const {
    auto it = text.find(language);
    if (it != text.end()) return it->second;
    it = text.find(default_language);
    if (it != text.end()) return it->second;
    static const std::string empty;
    return text.empty() ? empty : text.begin()->second;
}

const ServiceCode* MenuSet::match(const std::vector<std::string>& parts,
                                  std::size_t& consumed) const {
    const ServiceCode* best = nullptr;
    for (const auto& sc : service_codes) {
        if (sc.parts.size() > parts.size()) continue;
        if (!std::equal(sc.parts.begin(), sc.parts.end(), parts.begin())) continue;
        if (!best || sc.parts.size() > best->parts.size()) best = &sc;
    }
    consumed = best ? best->parts.size() : 0;
    return best;
}

bool InputRule::accepts(std::string_view value) const {
    std::size_t n = gsm::utf8_to_u32(value).size();
    if (n < min_length || n > max_length) return false;
    if (digits)
        for (char c : value)
            if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace ussdgw::menus
