// GSM 03.38 text handling shared by USSD and SMS: which alphabet a text fits, how long it
// is in that alphabet, 7-bit packing, UTF-8 <-> UCS2 (big-endian UTF-16) conversion and
// splitting long SMS text into concatenated parts with a user data header.
//
// A text "fits GSM 7-bit" when every character is in the default alphabet or its extension
// table; extension characters (^ { } \ [ ~ ] | € and form feed) take two septets (escape 0x1B
// plus the character). Otherwise the text is sent as UCS2, where length is counted in UTF-16
// code units (a character outside the BMP counts two).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/Result.hpp"

namespace ussdgw::gsm {

enum class Encoding { gsm7, ucs2 };

// SMPP data_coding for an encoding: 0 (SMSC default alphabet) or 8 (UCS2).
constexpr std::uint8_t data_coding(Encoding e) {
    return e == Encoding::gsm7 ? 0 : 8;
}
const char* to_string(Encoding e);

// The code point that begins at utf8[i] (i < size), advancing i past it; a byte that does
// not begin a valid sequence is read as U+FFFD and skipped alone.
char32_t next_code_point(std::string_view utf8, std::size_t& i);
// UTF-8 to code points; an invalid sequence becomes U+FFFD.
std::u32string utf8_to_u32(std::string_view utf8);
std::string u32_to_utf8(std::u32string_view text);

// Number of septets the text takes in GSM 7-bit, or nullopt when it does not fit.
std::optional<std::size_t> septet_count(std::string_view utf8);
inline bool fits_gsm7(std::string_view utf8) {
    return septet_count(utf8).has_value();
}
// Number of UTF-16 code units (UCS2 characters) of the text.
std::size_t ucs2_length(std::string_view utf8);
// GSM 7-bit when the text fits that alphabet, else UCS2.
Encoding choose_encoding(std::string_view utf8);
// Length in the characters of `e`: septets for gsm7 (must fit), UTF-16 units for ucs2.
std::size_t length_in(std::string_view utf8, Encoding e);

// Text to unpacked septets (one septet value per byte, extension characters as 0x1B + code).
std::optional<std::string> to_gsm7(std::string_view utf8);
// Unpacked septets back to UTF-8; unknown extension codes decode as a space.
std::string from_gsm7(std::string_view septets);

// Packs septets 7 bits each, least significant bit first. `fill_bits` (0..6) leading zero
// bits align the septets after a user data header (for example 1 after a 6-byte UDH).
std::string pack_septets(std::string_view septets, unsigned fill_bits = 0);
// Unpacks `count` septets from packed octets (the inverse of pack_septets).
std::string unpack_septets(std::string_view packed, std::size_t count, unsigned fill_bits = 0);

// UTF-8 to UCS2 big-endian bytes (UTF-16BE; surrogate pairs outside the BMP).
std::string to_ucs2(std::string_view utf8);
// UCS2/UTF-16BE bytes to UTF-8; odd length or a broken surrogate is an error.
Result<std::string> from_ucs2(std::string_view bytes);

// Encodes the text in `e`: unpacked septets for gsm7, UTF-16BE for ucs2.
std::string encode(std::string_view utf8, Encoding e);

// One part of an SMS as SMPP sends it: short_message = udh + body.
struct SmsPart {
    std::string text;  // this part's text, UTF-8
    std::string udh;   // empty for a single-part message; else 05 00 03 ref total seq
    std::string body;  // unpacked septets (gsm7) or UTF-16BE (ucs2)
    std::string short_message() const { return udh + body; }
};

struct SmsSplit {
    Encoding encoding = Encoding::gsm7;
    std::vector<SmsPart> parts;
};

// Single-part and per-part limits: 160 / 153 septets, 70 / 67 UCS2 characters.
inline constexpr std::size_t kSmsSeptets = 160;
inline constexpr std::size_t kSmsPartSeptets = 153;
inline constexpr std::size_t kSmsUcs2 = 70;
inline constexpr std::size_t kSmsPartUcs2 = 67;

// Splits a text into SMS parts (one part when it fits, else concatenated parts carrying
// reference `ref`). An extension character or a surrogate pair is never split across parts.
SmsSplit split_sms(std::string_view utf8, std::uint8_t ref);
// The same in a given encoding (an integrator's data_coding kept): gsm7 only for a text that
// fits that alphabet.
SmsSplit split_sms(std::string_view utf8, std::uint8_t ref, Encoding encoding);

}  // namespace ussdgw::gsm
