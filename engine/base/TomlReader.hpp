// Reading TOML files (the engine configuration, the menu files) key by key, with errors
// that name file, line and key (TomlError.hpp).
//
// A `TomlTable` walks one table: every getter checks the value's type and range and marks
// its key as read, and `finish()` rejects any key nobody read (a typo must not be silently
// ignored). A bad value throws TomlError. engine/config reads its sections this way and
// stops at the first error (start-up); the menu loader reads each key inside
// `TomlErrors::check` and collects `unknown_keys()`, so that one pass reports every error.
// Layers do not see TOML: engine/config turns tables into each layer's plain structs.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/TomlError.hpp"

namespace ussdgw {

// A parsed document; keeps the TOML tree alive for the tables that point into it.
struct TomlDocument {
    std::string file;
    std::shared_ptr<const toml::table> root;
};

// Parses TOML text; `file` is the name used in errors. A syntax error throws TomlError
// with the file and line.
TomlDocument parse_toml(std::string_view text, const std::string& file);
// Reads and parses a file; one that cannot be read throws TomlError (line 0).
TomlDocument load_toml_file(const std::string& path);

class TomlTable {
  public:
    TomlTable(std::shared_ptr<const toml::table> keep_alive, const toml::table* table,
              std::string file, std::string path);
    static TomlTable root(const TomlDocument& doc);

    const std::string& file() const { return file_; }
    // Dotted path of this table ("" for the root, "smpp.client[0]" for an element).
    const std::string& path() const { return path_; }
    std::uint32_t line() const;
    // Where `key` is written (the table's line when it is absent), with its dotted path.
    SourcePos where(std::string_view key) const;
    // Where this table begins.
    SourcePos where() const;

    bool has(std::string_view key) const;
    bool is_table(std::string_view key) const;
    bool is_string(std::string_view key) const;
    // Every key of the table, sorted (for tables keyed by name: screens, texts by language).
    std::vector<std::string> keys() const;

    // Required, and not empty.
    std::string string(std::string_view key) const;
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
    std::vector<std::string> string_list(std::string_view key) const;  // required
    std::vector<std::string> string_list(std::string_view key,
                                         const std::vector<std::string>& fallback) const;
    // An array of integers, each in [min, max].
    std::vector<std::int64_t> integer_list(std::string_view key,
                                           const std::vector<std::int64_t>& fallback,
                                           std::int64_t min, std::int64_t max) const;

    std::optional<TomlTable> table(std::string_view key) const;
    TomlTable required_table(std::string_view key) const;
    // An array of tables ([[links]]); empty when absent.
    std::vector<TomlTable> tables(std::string_view key) const;

    // An error for every key that no getter read; `note` (say, which keys a table takes)
    // follows "unknown key" in parentheses.
    std::vector<TomlError> unknown_keys(std::string_view note = {}) const;
    // Throws the first of unknown_keys().
    void finish(std::string_view note = {}) const;

    // Throws TomlError for `key`; the key counts as read (it is not also "unknown").
    [[noreturn]] void fail(std::string_view key, const std::string& message) const;

  private:
    const toml::node* read(std::string_view key) const;
    std::string key_path(std::string_view key) const;

    std::shared_ptr<const toml::table> keep_;
    const toml::table* table_;
    std::string file_;
    std::string path_;
    mutable std::set<std::string, std::less<>> read_;
};

// Parses "250ms", "30s", "15m", "1h", "2d"; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace ussdgw
