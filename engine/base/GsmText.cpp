#include "engine/base/GsmText.hpp"

#include <array>

namespace ussdgw::gsm {

namespace {

// GSM 03.38 default alphabet, indexed by septet value. 0x1B is the escape to the extension
// table (mapped to U+00A0 here only as a placeholder; it is never produced from text).
constexpr std::array<char32_t, 128> kBasic = {
    U'@',      U'\u00A3', U'$',      U'\u00A5', U'\u00E8', U'\u00E9', U'\u00F9', U'\u00EC',
    U'\u00F2', U'\u00C7', U'\n',     U'\u00D8', U'\u00F8', U'\r',     U'\u00C5', U'\u00E5',
    U'\u0394', U'_',      U'\u03A6', U'\u0393', U'\u039B', U'\u03A9', U'\u03A0', U'\u03A8',
    U'\u03A3', U'\u0398', U'\u039E', U'\u00A0', U'\u00C6', U'\u00E6', U'\u00DF', U'\u00C9',
    U' ',      U'!',      U'"',      U'#',      U'\u00A4', U'%',      U'&',      U'\'',
    U'(',      U')',      U'*',      U'+',      U',',      U'-',      U'.',      U'/',
    U'0',      U'1',      U'2',      U'3',      U'4',      U'5',      U'6',      U'7',
    U'8',      U'9',      U':',      U';',      U'<',      U'=',      U'>',      U'?',
    U'\u00A1', U'A',      U'B',      U'C',      U'D',      U'E',      U'F',      U'G',
    U'H',      U'I',      U'J',      U'K',      U'L',      U'M',      U'N',      U'O',
    U'P',      U'Q',      U'R',      U'S',      U'T',      U'U',      U'V',      U'W',
    U'X',      U'Y',      U'Z',      U'\u00C4', U'\u00D6', U'\u00D1', U'\u00DC', U'\u00A7',
    U'\u00BF', U'a',      U'b',      U'c',      U'd',      U'e',      U'f',      U'g',
    U'h',      U'i',      U'j',      U'k',      U'l',      U'm',      U'n',      U'o',
    U'p',      U'q',      U'r',      U's',      U't',      U'u',      U'v',      U'w',
    U'x',      U'y',      U'z',      U'\u00E4', U'\u00F6', U'\u00F1', U'\u00FC', U'\u00E0',
};

struct Ext {
    char32_t cp;
    char code;
};
constexpr std::array<Ext, 10> kExtension = {{{U'\f', 0x0A},
                                             {U'^', 0x14},
                                             {U'{', 0x28},
                                             {U'}', 0x29},
                                             {U'\\', 0x2F},
                                             {U'[', 0x3C},
                                             {U'~', 0x3D},
                                             {U']', 0x3E},
                                             {U'|', 0x40},
                                             {U'\u20AC', 0x65}}};
constexpr char kEscape = 0x1B;

// The septet of each ASCII code point in the basic table, -1 when it has none there.
constexpr std::array<signed char, 128> kAsciiSeptet = [] {
    std::array<signed char, 128> t{};
    t.fill(-1);
    for (std::size_t i = 0; i < kBasic.size(); ++i)
        if (kBasic[i] < 0x80) t[kBasic[i]] = static_cast<signed char>(i);
    return t;
}();

// Septets for one code point: 1 or 2 (written to out), 0 when not in the alphabet.
int gsm_of(char32_t cp, char out[2]) {
    if (cp < 0x80 && kAsciiSeptet[cp] >= 0) {
        out[0] = static_cast<char>(kAsciiSeptet[cp]);
        return 1;
    }
    if (cp >= 0x80 && cp != U'\u00A0') {
        for (std::size_t i = 0; i < kBasic.size(); ++i) {
            if (kBasic[i] == cp) {
                out[0] = static_cast<char>(i);
                return 1;
            }
        }
    }
    for (const Ext& e : kExtension) {
        if (e.cp == cp) {
            out[0] = kEscape;
            out[1] = e.code;
            return 2;
        }
    }
    return 0;
}

// Appends the UTF-8 of one code point (U+FFFD for a surrogate or one beyond U+10FFFF).
void append_utf8(std::string& out, char32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = U'\uFFFD';
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::size_t utf16_units(char32_t cp) {
    return cp > 0xFFFF ? 2 : 1;
}

}  // namespace

const char* to_string(Encoding e) {
    return e == Encoding::gsm7 ? "gsm7" : "ucs2";
}

char32_t next_code_point(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        ++i;
        return c;
    }
    int extra;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07;
    } else {
        ++i;
        return U'\uFFFD';
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) {
        ++i;
        return U'\uFFFD';
    }
    for (int k = 1; k <= extra; ++k) {
        auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((cc & 0xC0) != 0x80) {
            ++i;
            return U'\uFFFD';
        }
        cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return U'\uFFFD';
    }
    i += static_cast<std::size_t>(extra) + 1;
    return cp;
}

std::u32string utf8_to_u32(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();)
        out.push_back(next_code_point(s, i));
    return out;
}

std::string u32_to_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char32_t cp : text)
        append_utf8(out, cp);
    return out;
}

std::optional<std::size_t> septet_count(std::string_view utf8) {
    std::size_t n = 0;
    char buf[2];
    for (std::size_t i = 0; i < utf8.size();) {
        int k = gsm_of(next_code_point(utf8, i), buf);
        if (k == 0) return std::nullopt;
        n += static_cast<std::size_t>(k);
    }
    return n;
}

std::size_t ucs2_length(std::string_view utf8) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < utf8.size();)
        n += utf16_units(next_code_point(utf8, i));
    return n;
}

Encoding choose_encoding(std::string_view utf8) {
    return fits_gsm7(utf8) ? Encoding::gsm7 : Encoding::ucs2;
}

std::size_t length_in(std::string_view utf8, Encoding e) {
    if (e == Encoding::gsm7) {
        auto n = septet_count(utf8);
        return n ? *n : ucs2_length(utf8);
    }
    return ucs2_length(utf8);
}

std::optional<std::string> to_gsm7(std::string_view utf8) {
    std::string out;
    char buf[2];
    for (std::size_t i = 0; i < utf8.size();) {
        int k = gsm_of(next_code_point(utf8, i), buf);
        if (k == 0) return std::nullopt;
        out.append(buf, static_cast<std::size_t>(k));
    }
    return out;
}

std::string from_gsm7(std::string_view septets) {
    std::string out;
    out.reserve(septets.size());
    for (std::size_t i = 0; i < septets.size(); ++i) {
        auto v = static_cast<unsigned char>(septets[i]) & 0x7F;
        if (v == static_cast<unsigned char>(kEscape)) {
            if (i + 1 >= septets.size()) break;
            auto code = static_cast<char>(static_cast<unsigned char>(septets[++i]) & 0x7F);
            char32_t cp = U' ';
            for (const Ext& e : kExtension)
                if (e.code == code) cp = e.cp;
            append_utf8(out, cp);
        } else {
            append_utf8(out, kBasic[v]);
        }
    }
    return out;
}

std::string pack_septets(std::string_view septets, unsigned fill_bits) {
    std::string out;
    std::uint32_t acc = 0;
    unsigned bits = fill_bits % 7;
    for (char c : septets) {
        acc |= static_cast<std::uint32_t>(static_cast<unsigned char>(c) & 0x7F) << bits;
        bits += 7;
        while (bits >= 8) {
            out.push_back(static_cast<char>(acc & 0xFF));
            acc >>= 8;
            bits -= 8;
        }
    }
    if (bits > 0) out.push_back(static_cast<char>(acc & 0xFF));
    return out;
}

std::string unpack_septets(std::string_view packed, std::size_t count, unsigned fill_bits) {
    std::string out;
    out.reserve(count);
    std::size_t bitpos = fill_bits % 7;
    for (std::size_t i = 0; i < count; ++i, bitpos += 7) {
        std::size_t byte = bitpos / 8;
        unsigned shift = static_cast<unsigned>(bitpos % 8);
        if (byte >= packed.size()) break;
        std::uint32_t v = static_cast<unsigned char>(packed[byte]);
        if (byte + 1 < packed.size())
            v |= static_cast<std::uint32_t>(static_cast<unsigned char>(packed[byte + 1])) << 8;
        out.push_back(static_cast<char>((v >> shift) & 0x7F));
    }
    return out;
}

std::string to_ucs2(std::string_view utf8) {
    std::string out;
    auto put = [&out](std::uint32_t u) {
        out.push_back(static_cast<char>((u >> 8) & 0xFF));
        out.push_back(static_cast<char>(u & 0xFF));
    };
    for (std::size_t i = 0; i < utf8.size();) {
        char32_t cp = next_code_point(utf8, i);
        if (cp > 0xFFFF) {
            std::uint32_t v = cp - 0x10000;
            put(0xD800 + (v >> 10));
            put(0xDC00 + (v & 0x3FF));
        } else {
            put(cp);
        }
    }
    return out;
}

Result<std::string> from_ucs2(std::string_view bytes) {
    if (bytes.size() % 2 != 0) return fail("ucs2.odd_length", "UCS2 text has an odd length");
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size(); i += 2) {
        char32_t u = (static_cast<char32_t>(static_cast<unsigned char>(bytes[i])) << 8) |
                     static_cast<unsigned char>(bytes[i + 1]);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 3 >= bytes.size()) return fail("ucs2.surrogate", "broken surrogate pair");
            char32_t lo = (static_cast<char32_t>(static_cast<unsigned char>(bytes[i + 2])) << 8) |
                          static_cast<unsigned char>(bytes[i + 3]);
            if (lo < 0xDC00 || lo > 0xDFFF) return fail("ucs2.surrogate", "broken surrogate pair");
            append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return fail("ucs2.surrogate", "broken surrogate pair");
        } else {
            append_utf8(out, u);
        }
    }
    return out;
}

std::string encode(std::string_view utf8, Encoding e) {
    if (e == Encoding::gsm7) {
        if (auto s = to_gsm7(utf8)) return *s;
    }
    return to_ucs2(utf8);
}

SmsSplit split_sms(std::string_view utf8, std::uint8_t ref) {
    return split_sms(utf8, ref, choose_encoding(utf8));
}

SmsSplit split_sms(std::string_view utf8, std::uint8_t ref, Encoding encoding) {
    SmsSplit split;
    split.encoding = encoding;
    const bool gsm = split.encoding == Encoding::gsm7;
    const std::size_t single = gsm ? kSmsSeptets : kSmsUcs2;
    if (length_in(utf8, split.encoding) <= single) {
        split.parts.push_back(SmsPart{std::string(utf8), "", encode(utf8, split.encoding)});
        return split;
    }
    const std::size_t per_part = gsm ? kSmsPartSeptets : kSmsPartUcs2;
    std::vector<std::u32string> texts(1);
    std::size_t used = 0;
    char buf[2];
    for (char32_t cp : utf8_to_u32(utf8)) {
        std::size_t w = gsm ? static_cast<std::size_t>(gsm_of(cp, buf)) : utf16_units(cp);
        if (used + w > per_part) {
            texts.emplace_back();
            used = 0;
        }
        texts.back().push_back(cp);
        used += w;
    }
    const auto total = static_cast<std::uint8_t>(texts.size() > 255 ? 255 : texts.size());
    for (std::size_t i = 0; i < texts.size() && i < 255; ++i) {
        SmsPart part;
        part.text = u32_to_utf8(texts[i]);
        part.udh = std::string{0x05,
                               0x00,
                               0x03,
                               static_cast<char>(ref),
                               static_cast<char>(total),
                               static_cast<char>(i + 1)};
        part.body = encode(part.text, split.encoding);
        split.parts.push_back(std::move(part));
    }
    return split;
}

}  // namespace ussdgw::gsm
