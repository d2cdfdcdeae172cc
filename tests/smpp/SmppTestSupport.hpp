// Small helpers for SMPP tests: hex to bytes and back, raw headers, fixing command_length
// after editing.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ussdgw::smpp::test {

// Hex digits to bytes; spaces and tabs are skipped. False on any other character or an odd
// number of digits.
inline bool parse_hex(std::string_view h, std::vector<std::uint8_t>& out) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    int hi = -1;
    for (char c : h) {
        if (c == ' ' || c == '\t' || c == '\r') continue;
        const int n = nibble(c);
        if (n < 0) return false;
        if (hi < 0) {
            hi = n;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi << 4 | n));
            hi = -1;
        }
    }
    return hi < 0;
}

inline std::vector<std::uint8_t> bytes_from_hex(std::string_view h) {
    std::vector<std::uint8_t> out;
    if (!parse_hex(h, out)) throw std::invalid_argument("not hex: " + std::string(h));
    return out;
}

inline std::string hex(std::string_view b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(b.size() * 2);
    for (unsigned char v : b) {
        s.push_back(digits[v >> 4]);
        s.push_back(digits[v & 15]);
    }
    return s;
}
inline std::string hex(const std::vector<std::uint8_t>& b) {
    return hex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

// A 16-octet header with these four fields, whatever they are (for malformed frames).
inline std::vector<std::uint8_t> raw_header(std::uint32_t len, std::uint32_t id, std::uint32_t st,
                                            std::uint32_t seq) {
    std::vector<std::uint8_t> v;
    for (std::uint32_t x : {len, id, st, seq})
        for (int sh = 24; sh >= 0; sh -= 8)
            v.push_back(static_cast<std::uint8_t>(x >> sh));
    return v;
}

// bind_transceiver from an SMPP 5.0 peer: interface_version 0x50, system_id "a", password "b"
// (the codec tests and the tshark golden files).
inline constexpr std::string_view kPeerBindV50Hex =
    "00000019000000090000000000000001"
    "6100"
    "6200"
    "00"
    "50"
    "00"
    "00"
    "00";

// Rewrites command_length to the buffer's size.
inline void fix_length(std::vector<std::uint8_t>& f) {
    const auto n = static_cast<std::uint32_t>(f.size());
    f[0] = static_cast<std::uint8_t>(n >> 24);
    f[1] = static_cast<std::uint8_t>(n >> 16);
    f[2] = static_cast<std::uint8_t>(n >> 8);
    f[3] = static_cast<std::uint8_t>(n);
}

}  // namespace ussdgw::smpp::test
