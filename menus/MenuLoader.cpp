// The menu loader: reads every file of a set with engine/base's TomlTable and collects every
// error (TomlErrors), not only the first. Each key is read in its own check, so that a bad
// value does not hide the next one; what depends on a value that could not be read is not
// checked (no error follows from another): a screen of unknown type is not read further,
// texts are not checked without the languages, a variable is not checked when some input
// could not be read. Texts (LocalText, screen fit) are read by MenuTextReader.
#include "menus/MenuLoader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "menus/MenuTextReader.hpp"
#include "menus/ScreenText.hpp"
#include "menus/UssdString.hpp"

namespace ussdgw::menus {

namespace {

class Loader {
  public:
    Loader(MenuSet& set, TomlErrors& errors) : set_(set), errors_(errors), texts_(set, errors) {}

    void load(const std::vector<TomlDocument>& docs) {
        if (docs.empty()) {
            errors_.add({set_.source, 0, ""}, "no menu files (*.toml) found");
            return;
        }
        std::vector<TomlTable> roots;
        for (const TomlDocument& d : docs)
            roots.push_back(TomlTable::root(d));
        // The [menu] table first: the languages and limits every screen is checked with.
        const TomlTable* menu_root = nullptr;
        for (const TomlTable& root : roots) {
            if (!root.has("menu")) continue;
            if (!menu_root) {
                menu_root = &root;
                continue;
            }
            errors_.check([&] {
                root.fail("menu",
                          fmt::format("[menu] is already defined in {}", menu_root->file()));
            });
        }
        if (!menu_root) {
            errors_.add({docs.front().file, 1, "menu"}, "no file defines the [menu] table");
            return;
        }
        if (!read_menu(*menu_root)) return;  // without the languages no text can be checked
        for (const TomlTable& root : roots) {
            std::vector<TomlTable> codes;
            // (an unreadable array may hold codes: "none is defined" would not be the error)
            if (!errors_.check([&] { codes = root.tables("service_codes"); }) || !codes.empty())
                any_service_code_ = true;
            for (const TomlTable& t : codes)
                read_service_code(t);
            std::optional<TomlTable> screens;
            errors_.check([&] { screens = root.table("screens"); });
            if (screens) {
                for (const std::string& id : screens->keys())
                    read_screen(*screens, id);
                errors_.add(screens->unknown_keys());
            }
            errors_.add(
                root.unknown_keys("a menu file has [menu], [[service_codes]] and [screens.*]"));
        }
        if (!any_service_code_)
            errors_.add({docs.front().file, 1, "service_codes"}, "no service code is defined");
        check_references();
    }

  private:
    // [menu]; false when the languages are unknown.
    bool read_menu(const TomlTable& root) {
        std::optional<TomlTable> m;
        if (!errors_.check([&] { m = root.required_table("menu"); })) return false;
        if (!errors_.check([&] { read_languages(*m); })) return false;
        errors_.check([&] {
            set_.default_language = m->string("default_language", set_.languages.front());
            if (!set_.has_language(set_.default_language))
                m->fail("default_language",
                        fmt::format("'{}' is not in languages", set_.default_language));
        });
        more_key_known_ = errors_.check([&] {
            set_.more_key = m->string("more_key", "#");
            if (set_.more_key.empty() || set_.more_key.size() > 3)
                m->fail("more_key", "must be 1 to 3 characters");
        });
        errors_.check([&] {
            set_.max_invalid_answers =
                static_cast<int>(m->integer("max_invalid_answers", 3, 1, 10));
        });
        std::optional<TomlTable> msg;
        if (errors_.check([&] { msg = m->required_table("messages"); })) {
            auto more = texts_.text(*msg, "more");
            if (more) set_.messages.more = std::move(*more);
            more_label_known_ = more.has_value();
            // Texts shown alone on a screen must fit it.
            static constexpr std::pair<std::string_view, LocalText Messages::*> alone[] = {
                {"invalid_request", &Messages::invalid_request},
                {"unknown_service", &Messages::unknown_service},
                {"too_many_errors", &Messages::too_many_errors},
                {"service_unavailable", &Messages::service_unavailable},
                {"timeout", &Messages::timeout},
            };
            for (const auto& [key, member] : alone)
                if (auto t = texts_.screen_text(*msg, key)) set_.messages.*member = std::move(*t);
            errors_.add(msg->unknown_keys());
        }
        errors_.add(m->unknown_keys());
        return true;
    }

    void read_languages(const TomlTable& m) {
        set_.languages = m.string_list("languages");
        if (set_.languages.empty()) m.fail("languages", "needs at least one language");
        std::set<std::string> seen;
        for (const auto& l : set_.languages) {
            if (l.size() < 2 || l.size() > 3 ||
                !std::all_of(l.begin(), l.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
                m.fail("languages", fmt::format("'{}' is not a language code such as ru", l));
            if (!seen.insert(l).second) m.fail("languages", fmt::format("'{}' is listed twice", l));
        }
    }

    // An input rule: each key checked on its own (max_length's range starts at min_length).
    InputRule read_rule(const TomlTable& t, std::size_t default_min, std::size_t default_max) {
        InputRule r;
        errors_.check([&] { r.digits = t.boolean("digits", true); });
        errors_.check([&] {
            r.min_length = static_cast<std::size_t>(
                t.integer("min_length", static_cast<std::int64_t>(default_min), 1, kMaxGsm7Screen));
        });
        errors_.check([&] {
            r.max_length = static_cast<std::size_t>(t.integer(
                "max_length", static_cast<std::int64_t>(std::max(default_max, r.min_length)),
                static_cast<std::int64_t>(r.min_length), kMaxGsm7Screen));
        });
        return r;
    }

    // A screen id to go to: recorded, checked once every screen is known.
    bool read_next(const TomlTable& t, std::string_view key, std::string& next) {
        return errors_.check([&] {
            next = t.string(key);
            refs_.push_back({next, t.where(key)});
        });
    }

    // A variable saved by an input or an argument; `secret` is nullopt when unreadable.
    void note_variable(const std::optional<std::string>& name, std::optional<bool> secret,
                       const SourcePos& pos) {
        if (!name || !secret) {
            variables_known_ = false;  // a use of it cannot be checked
            return;
        }
        auto [it, inserted] = variables_.emplace(*name, std::make_pair(*secret, pos));
        if (!inserted && it->second.first != *secret)
            errors_.add(pos, fmt::format("variable '{}' is secret in one place and not in another "
                                         "({}:{})",
                                         *name, it->second.second.file, it->second.second.line));
    }

    void read_service_code(const TomlTable& t) {
        ServiceCode sc;
        errors_.check([&] {
            sc.code = t.string("code");
            auto parts = parse_ussd_string(sc.code);
            if (!parts)
                t.fail("code", fmt::format("'{}' is not a USSD code such as *141#", sc.code));
            sc.parts = *parts;
            for (const auto& other : set_.service_codes)
                if (other.parts == sc.parts)
                    t.fail("code", fmt::format("'{}' is defined twice", sc.code));
        });
        read_next(t, "start", sc.start);
        errors_.check([&] {
            auto lang = t.optional_string("language");
            if (!lang) return;
            if (!set_.has_language(*lang))
                t.fail("language", fmt::format("'{}' is not one of the languages ({})", *lang,
                                               fmt::join(set_.languages, ", ")));
            sc.language = *lang;
        });
        errors_.add(t.unknown_keys());
        set_.service_codes.push_back(std::move(sc));
    }

    void read_screen(const TomlTable& screens, const std::string& id) {
        if (const Screen* prev = set_.screen(id)) {
            errors_.check([&] {
                screens.fail(id, fmt::format("screen '{}' is already defined at {}:{}", id,
                                             prev->pos.file, prev->pos.line));
            });
            return;
        }
        // The id is defined even when its table is broken: references to it are not errors.
        Screen& s = set_.screens[id];
        s.id = id;
        s.pos = screens.where(id);
        std::optional<TomlTable> t;
        if (!errors_.check([&] { t = screens.required_table(id); })) return;
        s.pos = t->where();
        // Which keys a screen takes depends on its type: without one, nothing more is read.
        if (!errors_.check([&] { s.kind = screen_kind(*t); })) {
            variables_known_ = false;
            return;
        }
        switch (s.kind) {
            case ScreenKind::menu:
                return read_menu_screen(*t, s);
            case ScreenKind::input:
                return read_input_screen(*t, s);
            case ScreenKind::action:
                return read_action_screen(*t, s);
            case ScreenKind::final_screen:
                if (auto text = texts_.screen_text(*t, "text")) s.text = std::move(*text);
                errors_.add(t->unknown_keys("a final screen takes type and text"));
                return;
        }
    }

    static ScreenKind screen_kind(const TomlTable& t) {
        std::string type = t.string("type");
        if (type == "menu") return ScreenKind::menu;
        if (type == "input") return ScreenKind::input;
        if (type == "action") return ScreenKind::action;
        if (type == "final") return ScreenKind::final_screen;
        t.fail("type", fmt::format("'{}' is not one of: menu, input, action, final", type));
    }

    void read_argument(const TomlTable& t, Screen& s) {
        std::optional<TomlTable> a;
        errors_.check([&] { a = t.table("argument"); });
        if (!a) return;
        Argument arg;
        std::optional<std::string> name;
        errors_.check([&] { name = arg.save_as = a->string("save_as"); });
        arg.rule = read_rule(*a, 1, 20);
        read_next(*a, "next", arg.next);
        note_variable(name, false, a->where("save_as"));
        errors_.add(
            a->unknown_keys("an argument takes save_as, digits, min_length, max_length and next"));
        s.argument = std::move(arg);
    }

    void read_menu_screen(const TomlTable& t, Screen& s) {
        auto header = texts_.text(t, "text");
        if (header) s.text = std::move(*header);
        std::vector<TomlTable> opts;
        errors_.check([&] {
            opts = t.tables("options");
            if (opts.empty()) t.fail("options", "a menu needs at least one option");
        });
        bool options_read = !opts.empty();
        std::set<std::string> keys;
        for (const TomlTable& o : opts)
            options_read &= read_option(o, keys, s);
        read_argument(t, s);
        errors_.add(t.unknown_keys("a menu screen takes type, text, options and argument"));
        if (!header || !options_read || !more_key_known_ || !more_label_known_) return;
        for (const auto& l : set_.languages) {
            auto pages = paginate(widest(s.text.at(l)), s.options, l, set_.more_key,
                                  set_.messages.more.at(l));
            if (!pages) {
                errors_.add(texts_.where(t, "text", l),
                            fmt::format("the '{}' menu cannot fit one USSD screen ({} GSM 7-bit "
                                        "or {} UCS2 characters) even with one option per page",
                                        l, kMaxGsm7Screen, kMaxUcs2Screen));
                continue;
            }
            s.pages[l] = std::move(*pages);
        }
    }

    bool read_option(const TomlTable& o, std::set<std::string>& keys, Screen& s) {
        Option opt;
        bool ok = errors_.check([&] {
            opt.key = o.string("key");
            if (opt.key.size() > 3 || !std::all_of(opt.key.begin(), opt.key.end(), [](char c) {
                    return (c >= '0' && c <= '9') || c == '*' || c == '#';
                }))
                o.fail("key", fmt::format("'{}' is not 1 to 3 digits", opt.key));
            if (more_key_known_ && opt.key == set_.more_key)
                o.fail("key", fmt::format("'{}' is the more_key of [menu]", opt.key));
            if (!keys.insert(opt.key).second)
                o.fail("key", fmt::format("option key '{}' is used twice", opt.key));
        });
        auto label = texts_.text(o, "label");
        if (label) opt.label = std::move(*label);
        ok &= label.has_value();
        ok &= read_next(o, "next", opt.next);
        errors_.add(o.unknown_keys("an option takes key, label and next"));
        s.options.push_back(std::move(opt));
        return ok;
    }

    void read_input_screen(const TomlTable& t, Screen& s) {
        auto text = texts_.screen_text(t, "text");
        if (text) s.text = std::move(*text);
        if (t.has("invalid")) {
            if (auto invalid = texts_.screen_text(t, "invalid")) s.invalid = std::move(*invalid);
        } else {
            s.invalid = s.text;
        }
        std::optional<std::string> name;
        std::optional<bool> secret;
        errors_.check([&] { name = s.save_as = t.string("save_as"); });
        errors_.check([&] { secret = s.secret = t.boolean("secret", false); });
        s.rule = read_rule(t, 1, 20);
        errors_.check([&] {
            s.shortcut = t.boolean("shortcut", false);
            if (s.secret && s.shortcut)
                t.fail("shortcut", "a secret input cannot be taken from the dialled string");
        });
        read_next(t, "next", s.next);
        note_variable(name, secret, t.where("save_as"));
        errors_.add(t.unknown_keys(
            "an input screen takes type, text, invalid, save_as, secret, digits, min_length, "
            "max_length, shortcut and next"));
    }

    void read_action_screen(const TomlTable& t, Screen& s) {
        std::string name;
        const ActionSpec* spec = nullptr;
        // The parameters and outcomes depend on the action: without one, nothing more is read.
        if (!errors_.check([&] {
                name = t.string("action");
                spec = find_action(name);
                if (!spec) {
                    std::vector<std::string_view> names;
                    for (const auto& a : action_specs())
                        names.push_back(a.name);
                    t.fail("action",
                           fmt::format("'{}' is not one of: {}", name, fmt::join(names, ", ")));
                }
            }))
            return;
        s.action = spec->kind;
        read_action_parameters(t, *spec, s);
        read_action_outcomes(t, *spec, s);
        read_argument(t, s);
        errors_.add(
            t.unknown_keys("an action screen takes type, action, with, outcomes and argument"));
    }

    void read_action_parameters(const TomlTable& t, const ActionSpec& spec, Screen& s) {
        std::optional<TomlTable> with;
        if (!errors_.check([&] { with = t.table("with"); })) return;
        std::set<std::string, std::less<>> given;
        if (with) {
            for (const std::string& param : with->keys()) {
                given.insert(param);
                errors_.check([&] {
                    if (std::find(spec.params.begin(), spec.params.end(), param) ==
                        spec.params.end())
                        with->fail(param, fmt::format("action '{}' takes no parameter '{}'",
                                                      spec.name, param));
                    s.with[param] = with->string(param);
                    with_refs_.push_back({s.with[param], param == "puk", with->where(param)});
                });
            }
        }
        for (std::string_view p : spec.params)
            if (!given.contains(p))
                errors_.check([&] {
                    t.fail(with ? "with" : "action",
                           fmt::format("action '{}' needs with.{} (a variable)", spec.name, p));
                });
    }

    void read_action_outcomes(const TomlTable& t, const ActionSpec& spec, Screen& s) {
        std::optional<TomlTable> out;
        if (!errors_.check([&] { out = t.required_table("outcomes"); })) return;
        for (const std::string& code : out->keys()) {
            errors_.check([&] {
                std::string next;
                if (!read_next(*out, code, next)) return;
                if (code == "default") {
                    s.outcome_default = next;
                    return;
                }
                if (std::find(spec.outcomes.begin(), spec.outcomes.end(), code) ==
                    spec.outcomes.end())
                    out->fail(code, fmt::format("action '{}' has no outcome '{}' (it has: {})",
                                                spec.name, code, fmt::join(spec.outcomes, ", ")));
                s.outcomes[code] = next;
            });
        }
        if (out->has("default")) return;
        for (std::string_view code : spec.outcomes)
            if (!out->has(code))
                errors_.check([&] {
                    t.fail("outcomes", fmt::format("outcome '{}' of action '{}' is not mapped "
                                                   "and there is no default",
                                                   code, spec.name));
                });
    }

    void check_references() {
        for (const auto& r : refs_)
            if (!set_.screen(r.screen)) errors_.add(r.pos, fmt::format("no screen '{}'", r.screen));
        if (!variables_known_) return;
        for (const auto& w : with_refs_) {
            auto it = variables_.find(w.variable);
            if (it == variables_.end()) {
                errors_.add(w.pos, fmt::format("no input or argument saves '{}'", w.variable));
                continue;
            }
            bool secret = it->second.first;
            if (w.secret && !secret)
                errors_.add(w.pos, fmt::format("'{}' must come from a secret input (secret = true)",
                                               w.variable));
            if (!w.secret && secret)
                errors_.add(w.pos,
                            fmt::format("'{}' is secret and cannot be used here", w.variable));
        }
    }

    struct Ref {
        std::string screen;
        SourcePos pos;
    };
    struct WithRef {
        std::string variable;
        bool secret;
        SourcePos pos;
    };
    MenuSet& set_;
    TomlErrors& errors_;
    MenuTextReader texts_;
    bool more_key_known_ = false;
    bool more_label_known_ = false;
    bool any_service_code_ = false;
    bool variables_known_ = true;  // every input and argument could be read
    std::vector<Ref> refs_;
    std::vector<WithRef> with_refs_;
    std::map<std::string, std::pair<bool, SourcePos>> variables_;
};

// Validates parsed documents into a set; every error of every file, by file and line.
MenuLoadResult load_documents(const std::vector<TomlDocument>& docs, TomlErrors errors,
                              const std::vector<std::string>& file_order, std::uint64_t version,
                              const std::string& source) {
    auto set = std::make_shared<MenuSet>();
    set->version = version;
    set->source = source;
    // A file that cannot be parsed may define what the others refer to: report only that.
    if (errors.empty()) Loader(*set, errors).load(docs);
    if (!errors.empty())
        return Unexpected<std::vector<TomlError>>{std::move(errors).sorted(file_order)};
    return MenuSetPtr(std::move(set));
}

}  // namespace

MenuLoadResult load_menu_texts(const std::vector<std::pair<std::string, std::string>>& files,
                               std::uint64_t version, const std::string& source) {
    TomlErrors errors;
    std::vector<TomlDocument> docs;
    std::vector<std::string> names;
    for (const auto& file : files) {
        names.push_back(file.first);
        errors.check([&] { docs.push_back(parse_toml(file.second, file.first)); });
    }
    return load_documents(docs, std::move(errors), names, version, source);
}

MenuLoadResult load_menu_directory(const std::string& directory, std::uint64_t version) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".toml")
            names.push_back(it->path().string());
    if (ec)
        return Unexpected<std::vector<TomlError>>{{TomlError(
            {directory, 0, ""}, fmt::format("cannot read the directory: {}", ec.message()))}};
    std::sort(names.begin(), names.end());
    TomlErrors errors;
    std::vector<TomlDocument> docs;
    for (const auto& n : names)
        errors.check([&] { docs.push_back(load_toml_file(n)); });
    return load_documents(docs, std::move(errors), names, version, directory);
}

}  // namespace ussdgw::menus
