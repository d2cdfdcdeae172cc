// Errors found in a TOML file (the configuration, the menu files): each names the file, the
// line and the dotted key, `conf/ussdgw.toml:12: key 'smpp.client[0].port': 0 is out of
// range (allowed 1 to 65535)`. `TomlErrors` keeps every error of a file instead of stopping
// at the first. The reader itself is TomlReader.hpp; this header needs no TOML library.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ussdgw {

// Where something was written: a file, a line (1-based; 0 when the file as a whole is
// meant) and a dotted key ("" when none).
struct SourcePos {
    std::string file;
    std::uint32_t line = 0;
    std::string key;
};

// what() is "FILE:LINE: key 'KEY': MESSAGE", or "FILE:LINE: MESSAGE" without a key.
class TomlError : public std::runtime_error {
  public:
    TomlError(SourcePos where, const std::string& message);
    const SourcePos& where() const { return where_; }
    const std::string& file() const { return where_.file; }
    std::uint32_t line() const { return where_.line; }
    const std::string& key() const { return where_.key; }
    const std::string& message() const { return message_; }

  private:
    SourcePos where_;
    std::string message_;
};

// Every error of a reading, in the order found. `check` runs one step of reading (a key, an
// entry) and keeps the TomlError it throws, so the next step still runs.
class TomlErrors {
  public:
    template <typename Step>
    bool check(Step&& step) {
        try {
            step();
            return true;
        } catch (TomlError& e) {
            list_.push_back(std::move(e));
            return false;
        }
    }
    void add(TomlError error) { list_.push_back(std::move(error)); }
    void add(SourcePos where, const std::string& message) {
        list_.emplace_back(std::move(where), message);
    }
    void add(std::vector<TomlError> errors);

    bool empty() const { return list_.empty(); }
    std::size_t size() const { return list_.size(); }
    const std::vector<TomlError>& list() const { return list_; }
    // The errors ordered by file (in `file_order`; files not listed last) and then by line.
    std::vector<TomlError> sorted(const std::vector<std::string>& file_order) &&;

  private:
    std::vector<TomlError> list_;
};

}  // namespace ussdgw
