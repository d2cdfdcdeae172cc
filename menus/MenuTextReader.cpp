#include "menus/MenuTextReader.hpp"

#include <fmt/format.h>

#include "menus/ScreenText.hpp"

namespace ussdgw::menus {

SourcePos MenuTextReader::where(const TomlTable& t, std::string_view key,
                                const std::string& language) const {
    SourcePos p = t.where(key);
    if (t.is_table(key)) {
        p.line = t.table(key)->where(language).line;
        p.key += "." + language;
    }
    return p;
}

std::optional<LocalText> MenuTextReader::text(const TomlTable& t, std::string_view key) {
    LocalText out;
    bool ok = errors_.check([&] {
        if (!t.has(key)) t.fail(key, "is required (a text: a string or { ru = \"...\", ... })");
        if (t.is_string(key)) {
            std::string all = *t.optional_string(key);
            for (const auto& l : set_.languages)
                out[l] = all;
        } else if (!t.is_table(key)) {
            t.fail(key, "must be a string or a table of strings by language");
        }
    });
    if (!ok) return std::nullopt;
    if (t.is_table(key)) {
        TomlTable by_language = *t.table(key);
        for (const std::string& l : by_language.keys()) {
            ok &= errors_.check([&] {
                if (!set_.has_language(l))
                    by_language.fail(l, fmt::format("'{}' is not one of the languages ({})", l,
                                                    fmt::join(set_.languages, ", ")));
                out[l] = *by_language.optional_string(l);
            });
        }
        for (const auto& l : set_.languages) {
            if (by_language.has(l)) continue;
            ok = false;
            errors_.add(by_language.where(l), fmt::format("the '{}' text is missing", l));
        }
    }
    for (const auto& [l, s] : out) {
        if (s.empty()) {
            ok = false;
            errors_.add(where(t, key, l), "must not be empty");
            continue;
        }
        auto ph = placeholders_of(s);
        if (!ph) {
            ok = false;
            errors_.add(where(t, key, l), ph.error().message);
        }
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<LocalText> MenuTextReader::screen_text(const TomlTable& t, std::string_view key) {
    auto out = text(t, key);
    if (!out) return out;
    bool fits = true;
    for (const auto& [l, s] : *out) {
        auto fit = measure_screen(widest(s));
        if (fit.fits()) continue;
        fits = false;
        errors_.add(where(t, key, l),
                    fmt::format("the '{}' text takes {} {} characters, more than the {} one USSD "
                                "screen holds",
                                l, fit.length, gsm::to_string(fit.encoding), fit.limit));
    }
    if (!fits) return std::nullopt;
    return out;
}

}  // namespace ussdgw::menus
