// A loaded, validated, immutable set of menus (one version of menus/<dir>/*.toml). Dialogues
// hold it by shared_ptr, so a reload never changes a dialogue in flight.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/TomlError.hpp"
#include "menus/DomainAction.hpp"

namespace ussdgw::menus {

// language -> UTF-8 text; every language of the set is present.
using LocalText = std::map<std::string, std::string>;

enum class ScreenKind { menu, input, action, final_screen };

// What an input accepts: only digits (when `digits`) and a length in characters.
struct InputRule {
    bool digits = true;
    std::size_t min_length = 1;
    std::size_t max_length = 20;
    bool accepts(std::string_view value) const;
};

struct Option {
    std::string key;  // what the subscriber types: "1", "0", "12"
    LocalText label;
    std::string next;  // screen id
};

// A trailing argument of a shortcut string (*141*3*6*375291234567#) taken by this screen.
struct Argument {
    std::string save_as;
    InputRule rule;
    std::string next;
};

// One page of a menu screen in one language: options [first, first + count), and whether a
// "more" option follows. The header text is on the first page only.
struct Page {
    std::size_t first = 0;
    std::size_t count = 0;
    bool more = false;
};

struct Screen {
    std::string id;
    ScreenKind kind = ScreenKind::final_screen;
    SourcePos pos;   // where its table is written
    LocalText text;  // menu header, input prompt or final text; may hold {placeholders}

    // menu
    std::vector<Option> options;
    std::map<std::string, std::vector<Page>> pages;  // per language, computed at load

    // input
    LocalText invalid;  // shown instead of `text` after a malformed answer
    std::string save_as;
    bool secret = false;
    InputRule rule;
    bool shortcut = false;  // may be answered from the dialled string
    std::string next;

    // action
    ActionKind action = ActionKind::access_state;
    std::map<std::string, std::string> with;      // parameter -> variable
    std::map<std::string, std::string> outcomes;  // outcome code -> screen id
    std::string outcome_default;                  // screen for unmapped outcomes, or ""

    std::optional<Argument> argument;  // menu or action screens
};

struct ServiceCode {
    std::string code;                // "*141#", "*141*1#"
    std::vector<std::string> parts;  // {"141"}, {"141", "1"}
    std::string start;               // screen id
    std::string language;            // "" = the subscriber's or the default
};

// Set-wide texts shown by the engine itself.
struct Messages {
    LocalText more;                 // label of the paging option
    LocalText invalid_request;      // junk USSD string or a shortcut that does not fit
    LocalText unknown_service;      // a service code no menu serves
    LocalText too_many_errors;      // after max_invalid_answers malformed answers
    LocalText service_unavailable;  // action failed, outcome not mapped
    LocalText timeout;              // idle timeout
};

// Screen size limits: 182 GSM 7-bit characters (septets) or 80 UCS2 characters.
inline constexpr std::size_t kMaxGsm7Screen = 182;
inline constexpr std::size_t kMaxUcs2Screen = 80;

struct MenuSet {
    std::uint64_t version = 0;
    std::string source;  // the directory or files it was loaded from
    std::vector<std::string> languages;
    std::string default_language;
    std::string more_key = "#";
    int max_invalid_answers = 3;
    Messages messages;
    std::vector<ServiceCode> service_codes;
    std::map<std::string, Screen> screens;

    const Screen* screen(const std::string& id) const;
    bool has_language(const std::string& lang) const;
    // The language of a subscriber's screens: `preferred` when the set has it, else
    // `configured` ([menus] default_language) when it has that, else the set's default.
    const std::string& language_for(const std::string& preferred,
                                    const std::string& configured) const;
    // `text` in `language`, else in the set's default language, else any ("" if none).
    const std::string& local(const LocalText& text, const std::string& language) const;
    // The service code with the longest match of leading parts; `consumed` gets its size.
    const ServiceCode* match(const std::vector<std::string>& parts, std::size_t& consumed) const;
};

using MenuSetPtr = std::shared_ptr<const MenuSet>;

}  // namespace ussdgw::menus
