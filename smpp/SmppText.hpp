// SmppText: the text of a short_message / message_payload as SMPP carries it. Decoding reads
// the data_coding values networks use (0x00 SMSC default alphabet as unpacked GSM septets,
// 0x01 IA5/ASCII, 0x03 Latin-1, 0x04 8-bit read as Latin-1, 0x08 UCS2, 0x0F and the
// 0xF0-0xF3 / general-group GSM 7-bit classes); encoding picks the data_coding byte for a
// UTF-8 text: GSM 7-bit (unpacked septets) with the configured byte (0x00 or 0x0F), or IA5
// (0x01) when configured and the text is ASCII, else UCS2 (0x08). The GSM 03.38 alphabet
// itself lives in engine/base/GsmText.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/Result.hpp"

namespace ussdgw::smpp {

// UTF-8 text of `octets` sent with `data_coding`; "smpp.data_coding" for a coding not read
// here, or the alphabet's error (an odd UCS2 length).
Result<std::string> decode_text(std::uint8_t data_coding, std::string_view octets);

struct EncodedText {
    std::uint8_t data_coding = 0;
    std::string octets;
};

// `utf8` as octets with their data_coding. `gsm7_data_coding` is the byte for texts in the GSM
// 7-bit alphabet: 0x00, 0x0F, or 0x01 (IA5: the ASCII bytes; other texts then go as UCS2).
EncodedText encode_text(std::string_view utf8, std::uint8_t gsm7_data_coding);

}  // namespace ussdgw::smpp
