// SMPP text coding: reading the data codings networks use, choosing one for a screen.
#include "smpp/SmppText.hpp"

#include <doctest/doctest.h>

namespace smpp_text_test {

using namespace ussdgw;

TEST_CASE("decode_text reads the data codings networks use for USSD strings") {
    CHECK(*smpp::decode_text(0x00, "*141*0#") == "*141*0#");
    CHECK(*smpp::decode_text(0x0F, "*141#") == "*141#");
    CHECK(*smpp::decode_text(0x01, "*141#") == "*141#");
    CHECK(*smpp::decode_text(0x08, std::string("\x00*\x00"
                                               "1\x00#",
                                               6)) == "*1#");
    CHECK(*smpp::decode_text(0x03, "caf\xe9") == "caf\xc3\xa9");
    CHECK(*smpp::decode_text(0xF0, "*141#") == "*141#");  // message class group, GSM 7-bit
    CHECK(*smpp::decode_text(0x11, "*141#") == "*141#");  // general group, class 1, GSM
    CHECK_FALSE(smpp::decode_text(0x08, std::string("\x00", 1)).ok());  // odd UCS2 length
    CHECK(smpp::decode_text(0x02, "x").error().code == "smpp.data_coding");
    CHECK(smpp::decode_text(0x02, "x").error().message == "data_coding 0x02 not supported");
}

TEST_CASE("encode_text: GSM 7-bit with the configured byte, IA5 for ASCII, else UCS2") {
    auto gsm = smpp::encode_text("Access is open", 0x0F);
    CHECK(gsm.data_coding == 0x0F);
    CHECK(gsm.octets == "Access is open");
    CHECK(smpp::encode_text("Access is open", 0x00).data_coding == 0x00);
    auto ia5 = smpp::encode_text("Access is open", 0x01);
    CHECK(ia5.data_coding == 0x01);
    CHECK(ia5.octets == "Access is open");
    // "£" is in the GSM alphabet but not in ASCII: IA5 cannot carry it, so UCS2.
    auto pound = smpp::encode_text("£5", 0x01);
    CHECK(pound.data_coding == 0x08);
    CHECK(pound.octets == std::string("\x00\xa3\x00"
                                      "5",
                                      4));
    auto ru = smpp::encode_text("Доступ", 0x00);
    CHECK(ru.data_coding == 0x08);
    CHECK(ru.octets.size() == 12);
    CHECK(*smpp::decode_text(ru.data_coding, ru.octets) == "Доступ");
}

}  // namespace smpp_text_test
