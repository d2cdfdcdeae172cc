// Reading the texts of a menu file for MenuLoader: a TEXT is one string for every language or
// a table with one string per language ({ ru = "...", en = "...", be = "..." }); each
// must be non-empty, use only known {placeholders}, and (for a text shown alone on a screen)
// fit one USSD screen in every language at its widest. Every error is added to the loader's
// TomlErrors, one per language entry; a text with any error is nullopt.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/base/TomlReader.hpp"
#include "menus/MenuSet.hpp"

namespace ussdgw::menus {

class MenuTextReader {
  public:
    // The set's languages must be read before any text.
    MenuTextReader(const MenuSet& set, TomlErrors& errors) : set_(set), errors_(errors) {}

    std::optional<LocalText> text(const TomlTable& t, std::string_view key);
    // A text shown alone on a screen (a final screen, a prompt, a message of the set).
    std::optional<LocalText> screen_text(const TomlTable& t, std::string_view key);
    // Where the `language` version of t.key is written (key.language when a table).
    SourcePos where(const TomlTable& t, std::string_view key, const std::string& language) const;

  private:
    const MenuSet& set_;
    TomlErrors& errors_;
};

}  // namespace ussdgw::menus
