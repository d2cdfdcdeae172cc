#include "storage/CsvFields.hpp"

#include <fmt/format.h>

namespace ussdgw::storage {

Result<std::vector<std::string>> split_csv(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    std::size_t i = 0;
    bool quoted = false, was_quoted = false;
    while (i < line.size()) {
        char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    cur += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                cur += c;
            }
        } else if (c == '"' && cur.empty() && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            out.push_back(std::move(cur));
            cur.clear();
            was_quoted = false;
        } else {
            cur += c;
        }
        ++i;
    }
    if (quoted) return fail("csv.syntax", "unterminated quoted field");
    out.push_back(std::move(cur));
    for (auto& f : out) {
        auto b = f.find_first_not_of(" \t");
        auto e = f.find_last_not_of(" \t");
        f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
    }
    return out;
}

Result<std::int64_t> parse_money(std::string_view name, const std::string& t) {
    std::size_t i = 0;
    bool neg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
    std::int64_t whole = 0, frac = 0;
    int digits = 0, frac_digits = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits) {
        if (digits >= 12) return fail("csv.value", fmt::format("{} is too large", name));
        whole = whole * 10 + (t[i] - '0');
    }
    if (i < t.size() && t[i] == '.') {
        for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++frac_digits) {
            if (frac_digits >= 2)
                return fail("csv.value", fmt::format("{} has more than 2 decimals", name));
            frac = frac * 10 + (t[i] - '0');
        }
        if (frac_digits == 1) frac *= 10;
    }
    if (digits == 0 || i != t.size())
        return fail("csv.value", fmt::format("{} '{}' is not a number like 12.50", name, t));
    std::int64_t v = whole * 100 + frac;
    return neg ? -v : v;
}

bool CsvDataLines::next(std::string& line, std::size_t& line_no) {
    while (std::getline(in_, line)) {
        ++n_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (n_ == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
            line.erase(0, 3);
        auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        if (line.compare(first, 6, "msisdn") == 0) continue;  // header
        line_no = n_;
        return true;
    }
    return false;
}

}  // namespace ussdgw::storage
