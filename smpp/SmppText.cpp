#include "smpp/SmppText.hpp"

#include <algorithm>

#include "engine/base/GsmText.hpp"

namespace ussdgw::smpp {

namespace {

std::string latin1_to_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

const char kHex[] = "0123456789abcdef";

}  // namespace

Result<std::string> decode_text(std::uint8_t data_coding, std::string_view octets) {
    // General data coding group (00xxxxxx) with no compression: bits 3..2 give the alphabet.
    std::uint8_t dc = data_coding;
    if ((dc & 0xC0) == 0x00 && (dc & 0x20) == 0 && dc > 0x0F) {
        switch ((dc >> 2) & 0x03) {
            case 0:
                return gsm::from_gsm7(octets);
            case 2:
                return gsm::from_ucs2(octets);
            default:
                return latin1_to_utf8(octets);
        }
    }
    if ((dc & 0xF0) == 0xF0) {  // data coding / message class group
        return (dc & 0x04) ? latin1_to_utf8(octets) : gsm::from_gsm7(octets);
    }
    switch (dc) {
        case 0x00:  // SMSC default alphabet: GSM 03.38, one septet per octet
        case 0x0F:  // USSD "language unspecified" GSM 7-bit
            return gsm::from_gsm7(octets);
        case 0x01:  // IA5 (ASCII)
        case 0x03:  // Latin-1
        case 0x04:  // 8-bit binary; USSD strings are digits, * and #: read as Latin-1
            return latin1_to_utf8(octets);
        case 0x08:
            return gsm::from_ucs2(octets);
        default:
            return fail("smpp.data_coding", std::string("data_coding 0x") + kHex[dc >> 4] +
                                                kHex[dc & 0x0F] + " not supported");
    }
}

EncodedText encode_text(std::string_view utf8, std::uint8_t gsm7_data_coding) {
    gsm::Encoding encoding = gsm::choose_encoding(utf8);
    bool ascii = std::all_of(utf8.begin(), utf8.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    EncodedText out;
    if (encoding == gsm::Encoding::gsm7 && gsm7_data_coding == 0x01) {
        if (ascii) {
            out.data_coding = 0x01;  // IA5: the ASCII bytes themselves
            out.octets = std::string(utf8);
            return out;
        }
        encoding = gsm::Encoding::ucs2;  // IA5 has no room for it
    }
    out.data_coding =
        encoding == gsm::Encoding::gsm7 ? gsm7_data_coding : gsm::data_coding(encoding);
    out.octets = gsm::encode(utf8, encoding);
    return out;
}

}  // namespace ussdgw::smpp
