#include "engine/base/TomlReader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

namespace ussdgw {

TomlError::TomlError(SourcePos where, const std::string& message)
    : std::runtime_error(
          where.key.empty()
              ? fmt::format("{}:{}: {}", where.file, where.line, message)
              : fmt::format("{}:{}: key '{}': {}", where.file, where.line, where.key, message)),
      where_(std::move(where)),
      message_(message) {}

void TomlErrors::add(std::vector<TomlError> errors) {
    for (auto& e : errors)
        list_.push_back(std::move(e));
}

std::vector<TomlError> TomlErrors::sorted(const std::vector<std::string>& file_order) && {
    std::map<std::string, std::size_t, std::less<>> rank;
    for (std::size_t i = 0; i < file_order.size(); ++i)
        rank.emplace(file_order[i], i);
    auto rank_of = [&rank](const TomlError& e) {
        auto it = rank.find(e.file());
        return it == rank.end() ? rank.size() : it->second;
    };
    std::stable_sort(list_.begin(), list_.end(), [&](const TomlError& a, const TomlError& b) {
        auto ra = rank_of(a);
        auto rb = rank_of(b);
        return ra != rb ? ra < rb : a.line() < b.line();
    });
    return std::move(list_);
}

TomlDocument parse_toml(std::string_view text, const std::string& file) {
    auto syntax_error = [&file](const toml::parse_error& err) {
        return TomlError({file, err.source().begin.line, ""},
                         fmt::format("TOML syntax error: {}", err.description()));
    };
#if TOML_EXCEPTIONS
    try {
        return TomlDocument{file, std::make_shared<const toml::table>(toml::parse(text, file))};
    } catch (const toml::parse_error& err) {
        throw syntax_error(err);
    }
#else
    toml::parse_result result = toml::parse(text, file);
    if (!result) throw syntax_error(result.error());
    return TomlDocument{file, std::make_shared<const toml::table>(std::move(result).table())};
#endif
}

TomlDocument load_toml_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw TomlError({path, 0, ""}, "cannot open the file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_toml(ss.str(), path);
}

TomlTable::TomlTable(std::shared_ptr<const toml::table> keep_alive, const toml::table* table,
                     std::string file, std::string path)
    : keep_(std::move(keep_alive)), table_(table), file_(std::move(file)), path_(std::move(path)) {}

TomlTable TomlTable::root(const TomlDocument& doc) {
    return TomlTable(doc.root, doc.root.get(), doc.file, "");
}

std::uint32_t TomlTable::line() const {
    return table_->source().begin.line;
}

std::string TomlTable::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

SourcePos TomlTable::where(std::string_view key) const {
    const toml::node* n = table_->get(key);
    return {file_, n ? n->source().begin.line : line(), key_path(key)};
}

SourcePos TomlTable::where() const {
    return {file_, line(), path_};
}

bool TomlTable::has(std::string_view key) const {
    return table_->get(key) != nullptr;
}

bool TomlTable::is_table(std::string_view key) const {
    const toml::node* n = table_->get(key);
    return n && n->is_table();
}

bool TomlTable::is_string(std::string_view key) const {
    const toml::node* n = table_->get(key);
    return n && n->is_string();
}

std::vector<std::string> TomlTable::keys() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : *table_)
        out.emplace_back(k.str());
    return out;
}

const toml::node* TomlTable::read(std::string_view key) const {
    read_.emplace(key);
    return table_->get(key);
}

void TomlTable::fail(std::string_view key, const std::string& message) const {
    read_.emplace(key);
    throw TomlError(where(key), message);
}

std::string TomlTable::string(std::string_view key) const {
    auto v = optional_string(key);
    if (!v) fail(key, "is required (a string)");
    if (v->empty()) fail(key, "must not be empty");
    return *v;
}

std::string TomlTable::string(std::string_view key, std::string_view fallback) const {
    auto v = optional_string(key);
    return v ? *v : std::string(fallback);
}

std::optional<std::string> TomlTable::optional_string(std::string_view key) const {
    const toml::node* n = read(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(key, "must be a string");
    return std::string(n->as_string()->get());
}

std::string TomlTable::choice(std::string_view key, const std::vector<std::string>& allowed,
                              std::string_view fallback) const {
    std::string v = string(key, fallback);
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
        fail(key, fmt::format("'{}' is not one of: {}", v, fmt::join(allowed, ", ")));
    return v;
}

std::int64_t TomlTable::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    if (!has(key)) fail(key, fmt::format("is required (an integer from {} to {})", min, max));
    return integer(key, min, min, max);
}

std::int64_t TomlTable::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) const {
    const toml::node* n = read(key);
    if (!n) return fallback;
    if (!n->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max)
        fail(key, fmt::format("{} is out of range (allowed {} to {})", v, min, max));
    return v;
}

double TomlTable::number(std::string_view key, double fallback, double min, double max) const {
    const toml::node* n = read(key);
    if (!n) return fallback;
    double v;
    if (n->is_integer())
        v = static_cast<double>(n->as_integer()->get());
    else if (n->is_floating_point())
        v = n->as_floating_point()->get();
    else
        fail(key, "must be a number");
    if (v < min || v > max)
        fail(key, fmt::format("{} is out of range (allowed {} to {})", v, min, max));
    return v;
}

bool TomlTable::boolean(std::string_view key, bool fallback) const {
    const toml::node* n = read(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail(key, "must be true or false");
    return n->as_boolean()->get();
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr == text.data() || value < 0) return std::nullopt;
    std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
    std::int64_t factor;
    if (unit == "ms")
        factor = 1;
    else if (unit == "s")
        factor = 1000;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else if (unit == "d")
        factor = 86'400'000;
    else
        return std::nullopt;
    if (value > INT64_MAX / factor) return std::nullopt;
    return std::chrono::milliseconds(value * factor);
}

std::chrono::milliseconds TomlTable::duration(std::string_view key,
                                              std::chrono::milliseconds fallback,
                                              std::chrono::milliseconds min,
                                              std::chrono::milliseconds max) const {
    const toml::node* n = read(key);
    if (!n) return fallback;
    if (!n->is_string())
        fail(key, "must be a duration string such as \"250ms\", \"30s\", \"15m\" or \"1h\"");
    auto d = parse_duration(n->as_string()->get());
    if (!d)
        fail(key, fmt::format("'{}' is not a duration (use a number with ms, s, m, h or d)",
                              n->as_string()->get()));
    if (*d < min || *d > max)
        fail(key, fmt::format("{}ms is out of range (allowed {}ms to {}ms)", d->count(),
                              min.count(), max.count()));
    return *d;
}

std::vector<std::string> TomlTable::string_list(std::string_view key) const {
    if (!has(key)) fail(key, "is required (an array of strings)");
    return string_list(key, {});
}

std::vector<std::string> TomlTable::string_list(std::string_view key,
                                                const std::vector<std::string>& fallback) const {
    const toml::node* n = read(key);
    if (!n) return fallback;
    const toml::array* arr = n->as_array();
    if (!arr) fail(key, "must be an array of strings");
    std::vector<std::string> out;
    for (const toml::node& el : *arr) {
        if (!el.is_string()) fail(key, "must be an array of strings");
        out.emplace_back(el.as_string()->get());
    }
    return out;
}

std::vector<std::int64_t> TomlTable::integer_list(std::string_view key,
                                                  const std::vector<std::int64_t>& fallback,
                                                  std::int64_t min, std::int64_t max) const {
    const toml::node* n = read(key);
    if (!n) return fallback;
    const toml::array* arr = n->as_array();
    if (!arr) fail(key, fmt::format("must be an array of integers from {} to {}", min, max));
    std::vector<std::int64_t> out;
    for (const toml::node& el : *arr) {
        if (!el.is_integer())
            fail(key, fmt::format("must be an array of integers from {} to {}", min, max));
        std::int64_t v = el.as_integer()->get();
        if (v < min || v > max)
            fail(key, fmt::format("{} is out of range (allowed {} to {})", v, min, max));
        out.push_back(v);
    }
    return out;
}

std::optional<TomlTable> TomlTable::table(std::string_view key) const {
    const toml::node* n = read(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) fail(key, "must be a table");
    return TomlTable(keep_, n->as_table(), file_, key_path(key));
}

TomlTable TomlTable::required_table(std::string_view key) const {
    auto t = table(key);
    if (!t) fail(key, "is required (a table)");
    return *t;
}

std::vector<TomlTable> TomlTable::tables(std::string_view key) const {
    const toml::node* n = read(key);
    std::vector<TomlTable> out;
    if (!n) return out;
    const toml::array* arr = n->as_array();
    if (!arr) fail(key, "must be an array of tables ([[...]])");
    std::size_t i = 0;
    for (const toml::node& el : *arr) {
        std::string path = fmt::format("{}[{}]", key_path(key), i++);
        if (!el.is_table())
            throw TomlError({file_, el.source().begin.line, path}, "must be a table");
        out.emplace_back(keep_, el.as_table(), file_, std::move(path));
    }
    return out;
}

std::vector<TomlError> TomlTable::unknown_keys(std::string_view note) const {
    std::vector<TomlError> out;
    std::string message = note.empty() ? "unknown key" : fmt::format("unknown key ({})", note);
    for (const auto& [k, v] : *table_)
        if (!read_.contains(k.str()))
            out.emplace_back(SourcePos{file_, v.source().begin.line, key_path(k.str())}, message);
    return out;
}

void TomlTable::finish(std::string_view note) const {
    auto unknown = unknown_keys(note);
    if (!unknown.empty()) throw unknown.front();
}

}  // namespace ussdgw
