#include "menus/ScreenText.hpp"

#include <fmt/format.h>

namespace ussdgw::menus {

ScreenFit measure_screen(std::string_view text) {
    ScreenFit f;
    if (auto n = gsm::septet_count(text)) {
        f.encoding = gsm::Encoding::gsm7;
        f.length = *n;
        f.limit = kMaxGsm7Screen;
    } else {
        f.encoding = gsm::Encoding::ucs2;
        f.length = gsm::ucs2_length(text);
        f.limit = kMaxUcs2Screen;
    }
    return f;
}

Result<std::vector<std::string>> placeholders_of(std::string_view text) {
    std::vector<std::string> names;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '}') return fail("text.brace", "'}' without '{'");
        if (text[i] != '{') {
            ++i;
            continue;
        }
        auto close = text.find('}', i);
        if (close == std::string_view::npos) return fail("text.brace", "'{' without '}'");
        std::string name(text.substr(i + 1, close - i - 1));
        if (!find_text_field(name)) {
            std::string known;
            for (const auto& f : text_fields())
                known += (known.empty() ? "" : ", ") + std::string(f.name);
            return fail("text.placeholder",
                        fmt::format("unknown placeholder {{{}}} (known: {})", name, known));
        }
        names.push_back(std::move(name));
        i = close + 1;
    }
    return names;
}

namespace {
template <typename ValueOf>
std::string replace_all(std::string_view text, ValueOf value_of) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        auto open = text.find('{', i);
        if (open == std::string_view::npos) break;
        auto close = text.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(text.substr(i, open - i));
        out += value_of(std::string(text.substr(open + 1, close - open - 1)));
        i = close + 1;
    }
    out.append(text.substr(i));
    return out;
}
}  // namespace

std::string substitute(std::string_view text, const std::map<std::string, std::string>& vars) {
    return replace_all(text, [&](const std::string& name) -> std::string {
        const TextField* f = find_text_field(name);
        auto it = vars.find(name);
        if (!f || it == vars.end()) return "";
        // Cut to the width the screen was checked with (whole code points).
        auto cps = gsm::utf8_to_u32(it->second);
        if (cps.size() > f->max_width) cps.resize(f->max_width);
        return gsm::u32_to_utf8(cps);
    });
}

std::string widest(std::string_view text) {
    return replace_all(text, [](const std::string& name) -> std::string {
        const TextField* f = find_text_field(name);
        return std::string(f ? f->max_width : 0, '9');
    });
}

std::string menu_page_text(std::string_view header, const std::vector<Option>& options,
                           const Page& page, const std::string& language, std::string_view more_key,
                           std::string_view more_label) {
    std::string out(header);
    auto line = [&out](std::string_view key, std::string_view label) {
        if (!out.empty()) out += '\n';
        out += key;
        out += ' ';
        out += label;
    };
    for (std::size_t i = page.first; i < page.first + page.count && i < options.size(); ++i) {
        auto it = options[i].label.find(language);
        line(options[i].key, it == options[i].label.end() ? "" : it->second);
    }
    if (page.more) line(more_key, more_label);
    return out;
}

std::optional<std::vector<Page>> paginate(std::string_view header_widest,
                                          const std::vector<Option>& options,
                                          const std::string& language, std::string_view more_key,
                                          std::string_view more_label) {
    std::vector<Page> pages;
    std::size_t next = 0;
    while (next < options.size()) {
        std::string_view header = pages.empty() ? header_widest : std::string_view();
        Page page{next, 0, false};
        // Grow the page while it fits; the last page needs no "more" line.
        while (next + page.count < options.size()) {
            Page trial{next, page.count + 1, next + page.count + 1 < options.size()};
            auto fit = measure_screen(
                menu_page_text(header, options, trial, language, more_key, more_label));
            if (!fit.fits()) break;
            page = trial;
        }
        if (page.count == 0) return std::nullopt;
        pages.push_back(page);
        next += page.count;
    }
    if (pages.empty()) {
        if (!measure_screen(header_widest).fits()) return std::nullopt;
        pages.push_back(Page{});
    }
    return pages;
}

}  // namespace ussdgw::menus
