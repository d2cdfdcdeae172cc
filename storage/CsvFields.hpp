// The conventions of the operator's CSV files (`ussdgw subscribers import`, `ussdgw calls
// import`, the staff's CSV upload): UTF-8 with or without a BOM, LF or CRLF line ends, blank
// lines and lines starting with '#' skipped, a first data line starting with "msisdn" taken
// as the header; fields split on commas, optionally double-quoted ("" is a quote inside),
// trimmed; money in roubles with up to 2 decimals.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/Result.hpp"

namespace ussdgw::storage {

// The fields of one line ("csv.syntax" for an unterminated quote).
Result<std::vector<std::string>> split_csv(std::string_view line);

// "12.50" -> 1250 minor units; `name` goes into the error ("csv.value").
Result<std::int64_t> parse_money(std::string_view name, const std::string& text);

// The data lines of a file with their 1-based line numbers.
class CsvDataLines {
  public:
    explicit CsvDataLines(std::istream& in) : in_(in) {}
    // false at the end of the input.
    bool next(std::string& line, std::size_t& line_no);
    bool failed() const { return in_.bad(); }

  private:
    std::istream& in_;
    std::size_t n_ = 0;
};

}  // namespace ussdgw::storage
