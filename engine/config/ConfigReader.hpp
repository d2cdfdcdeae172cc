// Reading TOML configuration with errors that name file, line and key.
//
// `ConfigTable` walks one TOML table: every getter marks its key as read, and `finish()`
// rejects any key nobody read (a typo must not be silently ignored). Every error is a
// `ConfigError` whose message reads `conf/ussdgw.toml:12: key 'smpp.links[0].port': ...`.
// Layers do not see TOML: engine/config turns tables into each layer's plain structs.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ussdgw::config {

class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string file, std::uint32_t line, std::string key, const std::string& what);
    const std::string& file() const { return file_; }
    std::uint32_t line() const { return line_; }
    const std::string& key() const { return key_; }

  private:
    std::string file_;
    std::uint32_t line_;
    std::string key_;
};

// A parsed document; keeps the TOML tree alive for the tables that point into it.
struct ConfigDocument {
    std::string file;
    std::shared_ptr<toml::table> root;
};

// Parses a TOML file; a syntax error becomes ConfigError with file and line.
ConfigDocument load_document(const std::string& path);
// Parses TOML text (for tests); `file` is the name used in errors.
ConfigDocument parse_document(std::string_view text, const std::string& file);

class ConfigTable {
  public:
    ConfigTable(std::shared_ptr<toml::table> keep_alive, const toml::table* table, std::string file,
                std::string path);
    static ConfigTable root(const ConfigDocument& doc);

    const std::string& file() const { return file_; }
    // Dotted path of this table ("" for the root, "smpp.links[0]" for an element).
    const std::string& path() const { return path_; }
    std::uint32_t line() const;
    bool has(std::string_view key) const;
    // Whether `key` holds a table (for keys that take either a value or a table).
    bool is_table(std::string_view key) const;

    std::string string(std::string_view key) const;  // required
    std::string string(std::string_view key, std::string_view fallback) const;
    std::optional<std::string> optional_string(std::string_view key) const;
    // One of `allowed`; the error lists them.
    std::string choice(std::string_view key, const std::vector<std::string>& allowed,
                       std::string_view fallback) const;

    std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const;
    std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                         std::int64_t max) const;
    double number(std::string_view key, double fallback, double min, double max) const;
    bool boolean(std::string_view key, bool fallback) const;
    // A duration written as a string with a unit: "250ms", "30s", "15m", "1h".
    std::chrono::milliseconds duration(
        std::string_view key, std::chrono::milliseconds fallback,
        std::chrono::milliseconds min = std::chrono::milliseconds(0),
        std::chrono::milliseconds max = std::chrono::hours(24 * 365)) const;
    std::vector<std::string> string_list(std::string_view key,
                                         const std::vector<std::string>& fallback = {}) const;
    // An array of integers, each in [min, max].
    std::vector<std::int64_t> integer_list(std::string_view key,
                                           const std::vector<std::int64_t>& fallback,
                                           std::int64_t min, std::int64_t max) const;

    std::optional<ConfigTable> table(std::string_view key) const;
    // An array of tables ([[links]]); empty when absent.
    std::vector<ConfigTable> tables(std::string_view key) const;

    // Throws ConfigError for the first key that no getter read.
    void finish() const;

    [[noreturn]] void fail(std::string_view key, const std::string& message) const;

  private:
    const toml::node* node(std::string_view key) const;
    std::string key_path(std::string_view key) const;
    std::uint32_t line_of(std::string_view key) const;

    std::shared_ptr<toml::table> keep_;
    const toml::table* table_;
    std::string file_;
    std::string path_;
    mutable std::set<std::string, std::less<>> read_;
};

// Parses "250ms", "30s", "15m", "1h", "2d"; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace ussdgw::config
