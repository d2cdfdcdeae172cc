// TlvCodec: the optional parameters, read with a checked walk and written in a fixed order.
#include "smpp/TlvCodec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "SmppCodecTestSupport.hpp"
#include "SmppTestSupport.hpp"
#include "smpp/PduCodec.hpp"

namespace tlv_codec_test {

using namespace ussdgw::smpp;
using ussdgw::smpp::test::bytes_from_hex;
using ussdgw::smpp::test::decode_error;
using ussdgw::smpp::test::deliver_with_tlvs;
using ussdgw::smpp::test::hex;

TEST_CASE("malformed: TLVs") {
    // truncated TLV header
    auto e =
        decode_error(deliver_with_tlvs("0501"
                                       "00"));
    CHECK_FALSE(e.answer_with_generic_nack);
    CHECK(e.status == status::invoptparstream);
    CHECK(e.command_id == 0x00000005);
    // value past the end
    e =
        decode_error(deliver_with_tlvs("0424"
                                       "0010"
                                       "41424344"));
    CHECK(e.status == status::invoptparstream);
    // bad length for a known tag
    e =
        decode_error(deliver_with_tlvs("0501"
                                       "0002"
                                       "0100"));
    CHECK(e.status == status::invparlen);
    e =
        decode_error(deliver_with_tlvs("1383"
                                       "0001"
                                       "01"));
    CHECK(e.status == status::invparlen);
    e =
        decode_error(deliver_with_tlvs("0423"
                                       "0002"
                                       "0102"));
    CHECK(e.status == status::invparlen);
    e =
        decode_error(deliver_with_tlvs("001e"
                                       "0000"));
    CHECK(e.status == status::invparlen);
    // a flood of tiny TLVs
    std::string flood;
    for (int i = 0; i < 300; ++i)
        flood +=
            "1400"
            "0000";
    e = decode_error(deliver_with_tlvs(flood));
    CHECK_FALSE(e.answer_with_generic_nack);
    CHECK(e.status == status::invoptparstream);
    // exactly the cap is accepted
    std::string cap;
    for (std::size_t i = 0; i < kMaxTlvCount; ++i)
        cap +=
            "1400"
            "0000";
    auto ok = decode(deliver_with_tlvs(cap));
    REQUIRE(ok.ok());
    CHECK(std::get<DeliverSm>(ok->body).tlvs.other.size() == kMaxTlvCount);
    // a bad TLV in a response: not answered
    e =
        decode_error(bytes_from_hex("00000015800000040000000000000001"
                                    "6100"
                                    "050100"));
    CHECK(e.is_response);
}

TEST_CASE("write_tlvs: modelled TLVs in their fixed order, then the others as given") {
    Tlvs t;
    t.other.push_back(RawTlv{0x1401, {0xAB}});
    t.sc_interface_version = 0x34;
    t.receipted_message_id = "ID";
    t.user_message_reference = 0x0102;
    t.ussd_service_op = 17;
    std::vector<std::uint8_t> out{0xEE};  // appended after what is there
    write_tlvs(t, out);
    CHECK(hex(out) ==
          "ee"
          "0501000111"      // ussd_service_op 17
          "020400020102"    // user_message_reference
          "001e0003494400"  // receipted_message_id with its terminator
          "0210000134"      // sc_interface_version
          "1401000"
          "1ab");  // the unmodelled tag, last
    std::vector<std::uint8_t> empty;
    write_tlvs(Tlvs{}, empty);
    CHECK(empty.empty());
}

TEST_CASE("read_tlvs: reads from a position to the end, unmodelled tags kept raw") {
    auto f = bytes_from_hex(
        "ffff"  // two octets before the TLVs, skipped by `pos`
        "0501000111"
        "0427000102"
        "04230003030022"
        "1401000201ff");
    Tlvs t;
    TlvProblem problem;
    REQUIRE(read_tlvs(f, 2, t, problem));
    CHECK(t.ussd_service_op == 17);
    CHECK(t.message_state == 2);
    CHECK(t.network_error_code == std::array<std::uint8_t, 3>{3, 0x00, 0x22});
    REQUIRE(t.other.size() == 1);
    CHECK(t.other[0].tag == 0x1401);
    CHECK(t.other[0].value == std::vector<std::uint8_t>{0x01, 0xff});
    // Nothing after `pos`: no TLVs, fine.
    Tlvs none;
    CHECK(read_tlvs(f, f.size(), none, problem));
    CHECK(none == Tlvs{});
    // A problem names the status to answer with and a reason for the log.
    auto bad = bytes_from_hex("050100020100");
    CHECK_FALSE(read_tlvs(bad, 0, none, problem));
    CHECK(problem.status == status::invparlen);
    CHECK(std::string(problem.reason).find("length") != std::string::npos);
    bad = bytes_from_hex("001e0000");
    CHECK_FALSE(read_tlvs(bad, 0, none, problem));
    CHECK(problem.status == status::invparlen);
}

TEST_CASE("check_tlvs: what does not fit the wire is refused by name") {
    Tlvs t;
    CHECK(check_tlvs(t).ok());
    t.message_payload = std::string(65535, 'p');
    CHECK(check_tlvs(t).ok());
    t.message_payload = std::string(65536, 'p');
    CHECK(check_tlvs(t).error().code == "encode.field_too_long");
    t.message_payload.reset();
    t.receipted_message_id = std::string(64, 'r');
    CHECK(check_tlvs(t).ok());
    t.receipted_message_id = std::string(65, 'r');
    CHECK(check_tlvs(t).error().code == "encode.field_too_long");
    t.receipted_message_id = std::string("a\0b", 3);
    CHECK(check_tlvs(t).error().code == "encode.bad_field");
    t.receipted_message_id.reset();
    t.other.push_back(RawTlv{0x1400, std::vector<std::uint8_t>(65536, 1)});
    CHECK(check_tlvs(t).error().code == "encode.field_too_long");
}

TEST_CASE("put_tlv: tag and length big-endian, then the value") {
    std::vector<std::uint8_t> out;
    const char v[] = "xy";
    put_tlv(out, 0x1234, v, 2);
    put_tlv(out, 0x0019, nullptr, 0);
    CHECK(hex(out) ==
          "123400027879"
          "00190000");
}

}  // namespace tlv_codec_test
