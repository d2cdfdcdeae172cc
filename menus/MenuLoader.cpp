#include "menus/MenuLoader.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "menus/ScreenText.hpp"
#include "menus/UssdString.hpp"

namespace ussdgw::menus {

std::string MenuError::to_string() const {
    if (key.empty()) return fmt::format("{}:{}: {}", file, line, message);
    return fmt::format("{}:{}: key '{}': {}", file, line, key, message);
}

namespace {

struct LoadFailure {
    MenuError error;
};

[[noreturn]] void fail_at(const SourcePos& pos, std::string message) {
    throw LoadFailure{MenuError{pos.file, pos.line, pos.key, std::move(message)}};
}

// One TOML table with its dotted path; getters mark keys as read, finish() rejects the rest.
class Tab {
  public:
    Tab(const toml::table* t, std::string file, std::string path)
        : t_(t), file_(std::move(file)), path_(std::move(path)) {}

    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }
    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
    }
    std::uint32_t line_of(std::string_view key) const {
        if (const toml::node* n = t_->get(key)) return n->source().begin.line;
        return t_->source().begin.line;
    }
    SourcePos pos(std::string_view key) const { return {file_, line_of(key), key_path(key)}; }
    SourcePos self() const { return {file_, t_->source().begin.line, path_}; }
    [[noreturn]] void fail(std::string_view key, std::string message) const {
        fail_at(pos(key), std::move(message));
    }

    bool has(std::string_view key) const { return t_->get(key) != nullptr; }
    const toml::node* get(std::string_view key) const {
        read_.emplace(key);
        return t_->get(key);
    }
    std::optional<std::string> opt_str(std::string_view key) const {
        const toml::node* n = get(key);
        if (!n) return std::nullopt;
        if (!n->is_string()) fail(key, "must be a string");
        return std::string(n->as_string()->get());
    }
    std::string str(std::string_view key) const {
        auto v = opt_str(key);
        if (!v) fail(key, "is required (a string)");
        if (v->empty()) fail(key, "must not be empty");
        return *v;
    }
    bool boolean(std::string_view key, bool fallback) const {
        const toml::node* n = get(key);
        if (!n) return fallback;
        if (!n->is_boolean()) fail(key, "must be true or false");
        return n->as_boolean()->get();
    }
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) const {
        const toml::node* n = get(key);
        if (!n) return fallback;
        if (!n->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
        auto v = n->as_integer()->get();
        if (v < min || v > max)
            fail(key, fmt::format("{} is out of range (allowed {} to {})", v, min, max));
        return v;
    }
    std::optional<Tab> table(std::string_view key) const {
        const toml::node* n = get(key);
        if (!n) return std::nullopt;
        if (!n->is_table()) fail(key, "must be a table");
        return Tab(n->as_table(), file_, key_path(key));
    }
    Tab required_table(std::string_view key) const {
        auto t = table(key);
        if (!t) fail(key, "is required (a table)");
        return *t;
    }
    std::vector<Tab> tables(std::string_view key) const {
        std::vector<Tab> out;
        const toml::node* n = get(key);
        if (!n) return out;
        const toml::array* arr = n->as_array();
        if (!arr) fail(key, "must be an array of tables");
        std::size_t i = 0;
        for (const toml::node& el : *arr) {
            std::string p = fmt::format("{}[{}]", key_path(key), i++);
            if (!el.is_table()) fail_at({file_, el.source().begin.line, p}, "must be a table");
            out.emplace_back(el.as_table(), file_, p);
        }
        return out;
    }
    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (const auto& [k, v] : *t_)
            out.emplace_back(k.str());
        return out;
    }
    void finish(std::string_view what = {}) const {
        for (const auto& [k, v] : *t_) {
            if (!read_.contains(k.str()))
                fail_at({file_, v.source().begin.line, key_path(k.str())},
                        what.empty() ? "unknown key" : fmt::format("unknown key ({})", what));
        }
    }

  private:
    const toml::table* t_;
    std::string file_;
    std::string path_;
    mutable std::set<std::string, std::less<>> read_;
};

struct Doc {
    std::string file;
    toml::table root;
};

class Loader {
  public:
    explicit Loader(MenuSet& set) : set_(set) {}

    void load(std::vector<Doc>& docs) {
        if (docs.empty()) fail_at({set_.source, 0, ""}, "no menu files (*.toml) found");
        // The [menu] table first: the languages and limits every screen is checked with.
        const Doc* menu_doc = nullptr;
        for (const Doc& d : docs) {
            if (!d.root.get("menu")) continue;
            if (menu_doc)
                fail_at({d.file, d.root.get("menu")->source().begin.line, "menu"},
                        fmt::format("[menu] is already defined in {}", menu_doc->file));
            menu_doc = &d;
        }
        if (!menu_doc) fail_at({docs.front().file, 1, "menu"}, "no file defines the [menu] table");
        {
            Tab root(&menu_doc->root, menu_doc->file, "");
            parse_menu(root.required_table("menu"));
        }
        for (const Doc& d : docs) {
            Tab root(&d.root, d.file, "");
            root.get("menu");
            for (Tab& t : root.tables("service_codes"))
                parse_service_code(t);
            if (auto screens = root.table("screens")) {
                for (const std::string& id : screens->keys())
                    parse_screen(*screens, id);
                screens->finish();
            }
            root.finish("a menu file has [menu], [[service_codes]] and [screens.*]");
        }
        if (set_.service_codes.empty())
            fail_at({docs.front().file, 1, "service_codes"}, "no service code is defined");
        check_references();
    }

  private:
    void parse_menu(const Tab& m) {
        set_.languages = string_list(m, "languages");
        if (set_.languages.empty()) m.fail("languages", "needs at least one language");
        std::set<std::string> seen;
        for (const auto& l : set_.languages) {
            if (l.size() < 2 || l.size() > 3 ||
                !std::all_of(l.begin(), l.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
                m.fail("languages", fmt::format("'{}' is not a language code such as ru", l));
            if (!seen.insert(l).second) m.fail("languages", fmt::format("'{}' is listed twice", l));
        }
        set_.default_language = m.opt_str("default_language").value_or(set_.languages.front());
        if (!set_.has_language(set_.default_language))
            m.fail("default_language",
                   fmt::format("'{}' is not in languages", set_.default_language));
        set_.more_key = m.opt_str("more_key").value_or("#");
        if (set_.more_key.empty() || set_.more_key.size() > 3)
            m.fail("more_key", "must be 1 to 3 characters");
        set_.max_invalid_answers = static_cast<int>(m.integer("max_invalid_answers", 3, 1, 10));
        Tab msg = m.required_table("messages");
        auto& ms = set_.messages;
        ms.more = text(msg, "more");
        ms.invalid_request = text(msg, "invalid_request");
        ms.unknown_service = text(msg, "unknown_service");
        ms.too_many_errors = text(msg, "too_many_errors");
        ms.service_unavailable = text(msg, "service_unavailable");
        ms.timeout = text(msg, "timeout");
        check_fit(msg, "invalid_request", ms.invalid_request);
        check_fit(msg, "unknown_service", ms.unknown_service);
        check_fit(msg, "too_many_errors", ms.too_many_errors);
        check_fit(msg, "service_unavailable", ms.service_unavailable);
        check_fit(msg, "timeout", ms.timeout);
        msg.finish();
        m.finish();
    }

    std::vector<std::string> string_list(const Tab& t, std::string_view key) {
        const toml::node* n = t.get(key);
        if (!n) t.fail(key, "is required (an array of strings)");
        const toml::array* arr = n->as_array();
        if (!arr) t.fail(key, "must be an array of strings");
        std::vector<std::string> out;
        for (const toml::node& el : *arr) {
            if (!el.is_string()) t.fail(key, "must be an array of strings");
            out.emplace_back(el.as_string()->get());
        }
        return out;
    }

    // A localized text: a table with one string per language, or one string for all.
    LocalText text(const Tab& t, std::string_view key) {
        const toml::node* n = t.get(key);
        if (!n) t.fail(key, "is required (a text: a string or { ru = \"...\", ... })");
        LocalText out;
        if (n->is_string()) {
            for (const auto& l : set_.languages)
                out[l] = std::string(n->as_string()->get());
        } else if (n->is_table()) {
            Tab tt(n->as_table(), t.file(), t.key_path(key));
            for (const std::string& l : tt.keys()) {
                if (!set_.has_language(l))
                    tt.fail(l, fmt::format("'{}' is not one of the languages ({})", l,
                                           fmt::join(set_.languages, ", ")));
                auto v = tt.opt_str(l);
                out[l] = *v;
            }
            for (const auto& l : set_.languages)
                if (!out.contains(l)) tt.fail(l, fmt::format("the '{}' text is missing", l));
        } else {
            t.fail(key, "must be a string or a table of strings by language");
        }
        for (const auto& [l, s] : out) {
            SourcePos p = t.pos(key);
            if (n->is_table()) p.key += "." + l;
            if (s.empty()) fail_at(p, "must not be empty");
            auto ph = placeholders_of(s);
            if (!ph) fail_at(p, ph.error().message);
        }
        return out;
    }

    // A text shown alone on a screen must fit it in every language.
    void check_fit(const Tab& t, std::string_view key, const LocalText& lt) {
        for (const auto& [l, s] : lt) {
            auto fit = measure_screen(widest(s));
            if (!fit.fits()) {
                SourcePos p = t.pos(key);
                if (t.get(key)->is_table()) p.key += "." + l;
                fail_at(p, fmt::format("the '{}' text takes {} {} characters, more than the {} "
                                       "one USSD screen holds",
                                       l, fit.length, gsm::to_string(fit.encoding), fit.limit));
            }
        }
    }

    InputRule rule(const Tab& t, std::size_t default_min, std::size_t default_max) {
        InputRule r;
        r.digits = t.boolean("digits", true);
        r.min_length = static_cast<std::size_t>(
            t.integer("min_length", static_cast<std::int64_t>(default_min), 1, kMaxGsm7Screen));
        r.max_length = static_cast<std::size_t>(
            t.integer("max_length", static_cast<std::int64_t>(std::max(default_max, r.min_length)),
                      static_cast<std::int64_t>(r.min_length), kMaxGsm7Screen));
        return r;
    }

    void note_variable(const std::string& name, bool secret, const SourcePos& pos) {
        auto [it, inserted] = variables_.emplace(name, std::make_pair(secret, pos));
        if (!inserted && it->second.first != secret)
            fail_at(pos, fmt::format("variable '{}' is secret in one place and not in another "
                                     "({}:{})",
                                     name, it->second.second.file, it->second.second.line));
    }

    void parse_service_code(const Tab& t) {
        ServiceCode sc;
        sc.code = t.str("code");
        auto parts = parse_ussd_string(sc.code);
        if (!parts) t.fail("code", fmt::format("'{}' is not a USSD code such as *141#", sc.code));
        sc.parts = *parts;
        for (const auto& other : set_.service_codes)
            if (other.parts == sc.parts)
                t.fail("code", fmt::format("'{}' is defined twice", sc.code));
        sc.start = t.str("start");
        refs_.push_back({sc.start, t.pos("start")});
        if (auto lang = t.opt_str("language")) {
            if (!set_.has_language(*lang))
                t.fail("language", fmt::format("'{}' is not one of the languages ({})", *lang,
                                               fmt::join(set_.languages, ", ")));
            sc.language = *lang;
        }
        t.finish();
        set_.service_codes.push_back(std::move(sc));
    }

    void parse_screen(const Tab& screens, const std::string& id) {
        if (set_.screens.contains(id)) {
            const auto& prev = set_.screens.at(id).pos;
            screens.fail(id, fmt::format("screen '{}' is already defined at {}:{}", id, prev.file,
                                         prev.line));
        }
        Tab t = screens.required_table(id);
        Screen s;
        s.id = id;
        s.pos = t.self();
        std::string type = t.str("type");
        if (type == "menu") {
            s.kind = ScreenKind::menu;
            parse_menu_screen(t, s);
        } else if (type == "input") {
            s.kind = ScreenKind::input;
            parse_input_screen(t, s);
        } else if (type == "action") {
            s.kind = ScreenKind::action;
            parse_action_screen(t, s);
        } else if (type == "final") {
            s.kind = ScreenKind::final_screen;
            s.text = text(t, "text");
            check_fit(t, "text", s.text);
            t.finish("a final screen takes type and text");
        } else {
            t.fail("type", fmt::format("'{}' is not one of: menu, input, action, final", type));
        }
        set_.screens.emplace(id, std::move(s));
    }

    void parse_argument(const Tab& t, Screen& s) {
        auto a = t.table("argument");
        if (!a) return;
        Argument arg;
        arg.save_as = a->str("save_as");
        arg.rule = rule(*a, 1, 20);
        arg.next = a->str("next");
        refs_.push_back({arg.next, a->pos("next")});
        note_variable(arg.save_as, false, a->pos("save_as"));
        a->finish("an argument takes save_as, digits, min_length, max_length and next");
        s.argument = std::move(arg);
    }

    void parse_menu_screen(const Tab& t, Screen& s) {
        s.text = text(t, "text");
        auto opts = t.tables("options");
        if (opts.empty()) t.fail("options", "a menu needs at least one option");
        std::set<std::string> keys;
        for (Tab& o : opts) {
            Option opt;
            opt.key = o.str("key");
            if (opt.key.size() > 3 || !std::all_of(opt.key.begin(), opt.key.end(), [](char c) {
                    return (c >= '0' && c <= '9') || c == '*' || c == '#';
                }))
                o.fail("key", fmt::format("'{}' is not 1 to 3 digits", opt.key));
            if (opt.key == set_.more_key)
                o.fail("key", fmt::format("'{}' is the more_key of [menu]", opt.key));
            if (!keys.insert(opt.key).second)
                o.fail("key", fmt::format("option key '{}' is used twice", opt.key));
            opt.label = text(o, "label");
            opt.next = o.str("next");
            refs_.push_back({opt.next, o.pos("next")});
            o.finish("an option takes key, label and next");
            s.options.push_back(std::move(opt));
        }
        parse_argument(t, s);
        t.finish("a menu screen takes type, text, options and argument");
        for (const auto& l : set_.languages) {
            auto pages = paginate(widest(s.text.at(l)), s.options, l, set_.more_key,
                                  set_.messages.more.at(l));
            if (!pages) {
                SourcePos p = t.pos("text");
                if (t.get("text")->is_table()) p.key += "." + l;
                fail_at(p, fmt::format("the '{}' menu cannot fit one USSD screen ({} GSM 7-bit "
                                       "or {} UCS2 characters) even with one option per page",
                                       l, kMaxGsm7Screen, kMaxUcs2Screen));
            }
            s.pages[l] = std::move(*pages);
        }
    }

    void parse_input_screen(const Tab& t, Screen& s) {
        s.text = text(t, "text");
        check_fit(t, "text", s.text);
        s.invalid = t.has("invalid") ? text(t, "invalid") : s.text;
        if (t.has("invalid")) check_fit(t, "invalid", s.invalid);
        s.save_as = t.str("save_as");
        s.secret = t.boolean("secret", false);
        s.rule = rule(t, 1, 20);
        s.shortcut = t.boolean("shortcut", false);
        if (s.secret && s.shortcut)
            t.fail("shortcut", "a secret input cannot be taken from the dialled string");
        s.next = t.str("next");
        refs_.push_back({s.next, t.pos("next")});
        note_variable(s.save_as, s.secret, t.pos("save_as"));
        t.finish(
            "an input screen takes type, text, invalid, save_as, secret, digits, min_length, "
            "max_length, shortcut and next");
    }

    void parse_action_screen(const Tab& t, Screen& s) {
        std::string name = t.str("action");
        const ActionSpec* spec = find_action(name);
        if (!spec) {
            std::vector<std::string_view> names;
            for (const auto& a : action_specs())
                names.push_back(a.name);
            t.fail("action", fmt::format("'{}' is not one of: {}", name, fmt::join(names, ", ")));
        }
        s.action = spec->kind;
        if (auto w = t.table("with")) {
            for (const std::string& param : w->keys()) {
                if (std::find(spec->params.begin(), spec->params.end(), param) ==
                    spec->params.end())
                    w->fail(param, fmt::format("action '{}' takes no parameter '{}'", name, param));
                s.with[param] = w->str(param);
                with_refs_.push_back({s.with[param], param == "puk", w->pos(param)});
            }
        }
        for (std::string_view p : spec->params)
            if (!s.with.contains(std::string(p)))
                t.fail(t.has("with") ? "with" : "action",
                       fmt::format("action '{}' needs with.{} (a variable)", name, p));
        Tab out = t.required_table("outcomes");
        for (const std::string& code : out.keys()) {
            std::string next = out.str(code);
            refs_.push_back({next, out.pos(code)});
            if (code == "default") {
                s.outcome_default = next;
                continue;
            }
            if (std::find(spec->outcomes.begin(), spec->outcomes.end(), code) ==
                spec->outcomes.end())
                out.fail(code, fmt::format("action '{}' has no outcome '{}' (it has: {})", name,
                                           code, fmt::join(spec->outcomes, ", ")));
            s.outcomes[code] = next;
        }
        if (s.outcome_default.empty()) {
            for (std::string_view code : spec->outcomes)
                if (!s.outcomes.contains(std::string(code)))
                    t.fail("outcomes", fmt::format("outcome '{}' of action '{}' is not mapped "
                                                   "and there is no default",
                                                   code, name));
        }
        parse_argument(t, s);
        t.finish("an action screen takes type, action, with, outcomes and argument");
    }

    void check_references() {
        for (const auto& r : refs_)
            if (!set_.screens.contains(r.screen))
                fail_at(r.pos, fmt::format("no screen '{}'", r.screen));
        for (const auto& w : with_refs_) {
            auto it = variables_.find(w.variable);
            if (it == variables_.end())
                fail_at(w.pos, fmt::format("no input or argument saves '{}'", w.variable));
            bool secret = it->second.first;
            if (w.secret && !secret)
                fail_at(w.pos, fmt::format("'{}' must come from a secret input (secret = true)",
                                           w.variable));
            if (!w.secret && secret)
                fail_at(w.pos, fmt::format("'{}' is secret and cannot be used here", w.variable));
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
    std::vector<Ref> refs_;
    std::vector<WithRef> with_refs_;
    std::map<std::string, std::pair<bool, SourcePos>> variables_;
};

Doc parse_doc(const std::string& name, std::string_view text) {
#if TOML_EXCEPTIONS
    try {
        return Doc{name, toml::parse(text, name)};
    } catch (const toml::parse_error& err) {
        throw LoadFailure{MenuError{name, err.source().begin.line, "",
                                    fmt::format("TOML syntax error: {}", err.description())}};
    }
#else
    toml::parse_result result = toml::parse(text, name);
    if (!result) {
        const auto& err = result.error();
        throw LoadFailure{MenuError{name, err.source().begin.line, "",
                                    fmt::format("TOML syntax error: {}", err.description())}};
    }
    return Doc{name, std::move(result).table()};
#endif
}

MenuLoadResult load_docs(const std::vector<std::pair<std::string, std::string>>& files,
                         std::uint64_t version, const std::string& source) {
    auto set = std::make_shared<MenuSet>();
    set->version = version;
    set->source = source;
    try {
        std::vector<Doc> docs;
        for (const auto& [name, text] : files)
            docs.push_back(parse_doc(name, text));
        Loader(*set).load(docs);
    } catch (const LoadFailure& f) {
        return Unexpected<std::vector<MenuError>>{{f.error}};
    }
    return MenuSetPtr(std::move(set));
}

}  // namespace

MenuLoadResult load_menu_texts(const std::vector<std::pair<std::string, std::string>>& files,
                               std::uint64_t version, const std::string& source) {
    return load_docs(files, version, source);
}

MenuLoadResult load_menu_directory(const std::string& directory, std::uint64_t version) {
    namespace fs = std::filesystem;
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".toml")
            names.push_back(it->path().string());
    if (ec)
        return Unexpected<std::vector<MenuError>>{{MenuError{
            directory, 0, "", fmt::format("cannot read the directory: {}", ec.message())}}};
    std::sort(names.begin(), names.end());
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& n : names) {
        std::ifstream in(n, std::ios::binary);
        if (!in)
            return Unexpected<std::vector<MenuError>>{
                {MenuError{n, 0, "", "cannot open the file"}}};
        std::stringstream ss;
        ss << in.rdbuf();
        files.emplace_back(n, ss.str());
    }
    return load_docs(files, version, directory);
}

// MenuSet lookups.
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
