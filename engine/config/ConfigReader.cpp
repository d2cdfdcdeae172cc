#include "engine/config/ConfigReader.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace ussdgw::config {

ConfigError::ConfigError(std::string file, std::uint32_t line, std::string key,
                         const std::string& what)
    : std::runtime_error(key.empty() ? fmt::format("{}:{}: {}", file, line, what)
                                     : fmt::format("{}:{}: key '{}': {}", file, line, key, what)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

ConfigDocument parse_document(std::string_view text, const std::string& file) {
#if TOML_EXCEPTIONS
    try {
        return ConfigDocument{file, std::make_shared<toml::table>(toml::parse(text, file))};
    } catch (const toml::parse_error& err) {
        throw ConfigError(file, err.source().begin.line, "",
                          fmt::format("TOML syntax error: {}", err.description()));
    }
#else
    toml::parse_result result = toml::parse(text, file);
    if (!result) {
        const auto& err = result.error();
        throw ConfigError(file, err.source().begin.line, "",
                          fmt::format("TOML syntax error: {}", err.description()));
    }
    return ConfigDocument{file, std::make_shared<toml::table>(std::move(result).table())};
#endif
}

ConfigDocument load_document(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path, 0, "", "cannot open the file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_document(ss.str(), path);
}

ConfigTable::ConfigTable(std::shared_ptr<toml::table> keep_alive, const toml::table* table,
                         std::string file, std::string path)
    : keep_(std::move(keep_alive)), table_(table), file_(std::move(file)), path_(std::move(path)) {}

ConfigTable ConfigTable::root(const ConfigDocument& doc) {
    return ConfigTable(doc.root, doc.root.get(), doc.file, "");
}

std::uint32_t ConfigTable::line() const {
    return table_->source().begin.line;
}

bool ConfigTable::has(std::string_view key) const {
    return table_->get(key) != nullptr;
}

bool ConfigTable::is_table(std::string_view key) const {
    const toml::node* n = table_->get(key);
    return n && n->is_table();
}

const toml::node* ConfigTable::node(std::string_view key) const {
    read_.emplace(key);
    return table_->get(key);
}

std::string ConfigTable::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

std::uint32_t ConfigTable::line_of(std::string_view key) const {
    if (const toml::node* n = table_->get(key)) return n->source().begin.line;
    return line();
}

void ConfigTable::fail(std::string_view key, const std::string& message) const {
    throw ConfigError(file_, line_of(key), key_path(key), message);
}

std::string ConfigTable::string(std::string_view key) const {
    auto v = optional_string(key);
    if (!v) fail(key, "is required (a string)");
    return *v;
}

std::string ConfigTable::string(std::string_view key, std::string_view fallback) const {
    auto v = optional_string(key);
    return v ? *v : std::string(fallback);
}

std::optional<std::string> ConfigTable::optional_string(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) fail(key, "must be a string");
    return std::string(n->as_string()->get());
}

std::string ConfigTable::choice(std::string_view key, const std::vector<std::string>& allowed,
                                std::string_view fallback) const {
    std::string v = string(key, fallback);
    for (const auto& a : allowed)
        if (a == v) return v;
    fail(key, fmt::format("'{}' is not one of: {}", v, fmt::join(allowed, ", ")));
}

std::int64_t ConfigTable::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    if (!table_->get(key)) {
        read_.emplace(key);
        fail(key, fmt::format("is required (an integer from {} to {})", min, max));
    }
    return integer(key, min, min, max);
}

std::int64_t ConfigTable::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                  std::int64_t max) const {
    const toml::node* n = node(key);
    if (!n) return fallback;
    if (!n->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max)
        fail(key, fmt::format("{} is out of range (allowed {} to {})", v, min, max));
    return v;
}

double ConfigTable::number(std::string_view key, double fallback, double min, double max) const {
    const toml::node* n = node(key);
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

bool ConfigTable::boolean(std::string_view key, bool fallback) const {
    const toml::node* n = node(key);
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

std::chrono::milliseconds ConfigTable::duration(std::string_view key,
                                                std::chrono::milliseconds fallback,
                                                std::chrono::milliseconds min,
                                                std::chrono::milliseconds max) const {
    const toml::node* n = node(key);
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

std::vector<std::string> ConfigTable::string_list(std::string_view key,
                                                  const std::vector<std::string>& fallback) const {
    const toml::node* n = node(key);
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

std::vector<std::int64_t> ConfigTable::integer_list(std::string_view key,
                                                    const std::vector<std::int64_t>& fallback,
                                                    std::int64_t min, std::int64_t max) const {
    const toml::node* n = node(key);
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

std::optional<ConfigTable> ConfigTable::table(std::string_view key) const {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    if (!n->is_table()) fail(key, "must be a table");
    return ConfigTable(keep_, n->as_table(), file_, key_path(key));
}

std::vector<ConfigTable> ConfigTable::tables(std::string_view key) const {
    const toml::node* n = node(key);
    std::vector<ConfigTable> out;
    if (!n) return out;
    const toml::array* arr = n->as_array();
    if (!arr) fail(key, "must be an array of tables ([[...]])");
    std::size_t i = 0;
    for (const toml::node& el : *arr) {
        if (!el.is_table())
            throw ConfigError(file_, el.source().begin.line,
                              fmt::format("{}[{}]", key_path(key), i), "must be a table");
        out.emplace_back(keep_, el.as_table(), file_, fmt::format("{}[{}]", key_path(key), i));
        ++i;
    }
    return out;
}

void ConfigTable::finish() const {
    for (const auto& [k, v] : *table_) {
        if (!read_.contains(k.str()))
            throw ConfigError(file_, v.source().begin.line, key_path(k.str()), "unknown key");
    }
}

}  // namespace ussdgw::config
