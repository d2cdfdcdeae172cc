// PduDecoder: framing a stream (frame_length), the frames a hostile or sloppy peer sends and
// the answer each gets (DecodeError), and the peers' quirks that are accepted.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "SamplePdus.hpp"
#include "SmppCodecTestSupport.hpp"
#include "SmppTestSupport.hpp"
#include "smpp/PduCodec.hpp"

namespace pdu_decoder_test {

using namespace ussdgw::smpp;
using ussdgw::smpp::test::bytes_from_hex;
using ussdgw::smpp::test::decode_error;
using ussdgw::smpp::test::deliver_with_tlvs;
using ussdgw::smpp::test::pdu;

TEST_CASE("frame_length") {
    auto f = encode(pdu(EnquireLink{}, 1)).value();
    CHECK(frame_length(std::span(f).first(3)).kind == FrameLength::Kind::need_more);
    CHECK(frame_length(std::span(f).first(10)).kind == FrameLength::Kind::need_more);
    auto fl = frame_length(f);
    CHECK(fl.kind == FrameLength::Kind::frame);
    CHECK(fl.length == 16);
    f.push_back(0);  // the next frame's first octet
    CHECK(frame_length(f).length == 16);
    for (const char* bad : {"00000000", "0000000f", "ffffffff", "00011171"}) {
        auto b = bytes_from_hex(std::string(bad) + "00000015");
        CHECK(frame_length(b).kind == FrameLength::Kind::unframeable);
    }
    CHECK(frame_length(bytes_from_hex("00011170")).kind == FrameLength::Kind::need_more);
    CHECK(frame_length(bytes_from_hex("00000100"), 200).kind == FrameLength::Kind::unframeable);
}

TEST_CASE("malformed: lengths") {
    // command_length 0 and 15 (decode is handed the frame anyway)
    for (const char* h : {"00000000000000150000000000000001", "0000000f000000150000000000000001"}) {
        auto e = decode_error(bytes_from_hex(h));
        CHECK(e.answer_with_generic_nack);
        CHECK(e.status == status::invcmdlen);
    }
    auto e = decode_error(bytes_from_hex("0000001000000015"));  // shorter than a header
    CHECK(e.status == status::invcmdlen);
    CHECK(e.command_id == 0x15);
    // command_length says more, or less, than the data
    e = decode_error(bytes_from_hex("00000011000000150000000000000003"));
    CHECK(e.status == status::invcmdlen);
    CHECK(e.sequence_number == 3);
    e = decode_error(bytes_from_hex("0000001000000015000000000000000300"));
    CHECK(e.status == status::invcmdlen);
    e = decode_error(bytes_from_hex("ffffffff000000150000000000000003"));
    CHECK(e.status == status::invcmdlen);
    // enquire_link with a body
    e =
        decode_error(bytes_from_hex("00000011000000150000000000000003"
                                    "00"));
    CHECK(e.answer_with_generic_nack);
    CHECK(e.status == status::invcmdlen);
    CHECK_FALSE(e.is_response);
}

TEST_CASE("malformed: unknown command_id") {
    auto e = decode_error(bytes_from_hex("00000010000000ff0000000000000004"));
    CHECK(e.answer_with_generic_nack);
    CHECK(e.status == status::invcmdid);
    CHECK(e.command_id == 0xff);
    CHECK(e.sequence_number == 4);
    CHECK_FALSE(e.is_response);
    e = decode_error(bytes_from_hex("00000010800000ff0000000000000004"));
    CHECK(e.is_response);
    // query_sm is real SMPP but not modelled: answered as unknown
    e =
        decode_error(bytes_from_hex("00000012000000030000000000000004"
                                    "0000"));
    CHECK(e.status == status::invcmdid);
}

TEST_CASE("malformed: strings") {
    // bind_transmitter whose system_id runs to the end without a terminator
    auto e =
        decode_error(bytes_from_hex("00000014000000020000000000000001"
                                    "61626364"));
    CHECK(e.answer_with_generic_nack);
    CHECK(e.status == status::invcmdlen);
    // system_id of 16 characters (max 15): the bind's own response with invsysid
    auto f = bytes_from_hex("00000000000000090000000000000001" + std::string(32, '6') +
                            "00"
                            "00"
                            "00"
                            "34"
                            "00"
                            "00"
                            "00");
    ussdgw::smpp::test::fix_length(f);
    e = decode_error(f);
    CHECK_FALSE(e.answer_with_generic_nack);
    CHECK(e.status == status::invsysid);
    CHECK(e.command_id == 0x00000009);
    // submit_sm with a 21-character source_addr
    f = bytes_from_hex(
        "00000000000000040000000000000001"
        "00"
        "0101" +
        std::string(42, '3') +
        "00"
        "0101"
        "3100"
        "000000"
        "00"
        "00"
        "00000000"
        "00");
    ussdgw::smpp::test::fix_length(f);
    e = decode_error(f);
    CHECK_FALSE(e.answer_with_generic_nack);
    CHECK(e.status == status::invsrcadr);
    // submit_sm cut inside the fixed fields
    f = bytes_from_hex(
        "00000000000000040000000000000001"
        "00"
        "0101"
        "3100"
        "0101"
        "3100"
        "00");
    ussdgw::smpp::test::fix_length(f);
    e = decode_error(f);
    CHECK(e.answer_with_generic_nack);
    CHECK(e.status == status::invcmdlen);
    // a submit_sm_resp with an unterminated message_id: a response, not answered
    e =
        decode_error(bytes_from_hex("00000013800000040000000000000001"
                                    "616263"));
    CHECK(e.is_response);
}

TEST_CASE("malformed: sm_length") {
    SubmitSm s;
    s.short_message = "hello";
    auto f = encode(pdu(s)).value();
    const std::size_t sm_length_at = f.size() - 6;
    REQUIRE(f[sm_length_at] == 5);
    f[sm_length_at] = 6;  // one past the end
    auto e = decode_error(f);
    CHECK_FALSE(e.answer_with_generic_nack);
    CHECK(e.status == status::invmsglen);
    f[sm_length_at] = 255;
    e = decode_error(f);
    CHECK(e.status == status::invmsglen);
    // 255 octets really present: still above 254
    s.short_message = std::string(254, 'a');
    f = encode(pdu(s)).value();
    f[f.size() - 255] = 255;
    f.push_back('a');
    ussdgw::smpp::test::fix_length(f);
    e = decode_error(f);
    CHECK(e.status == status::invmsglen);
}

TEST_CASE("peers' quirks are accepted") {
    // bind_transceiver with interface_version 0x50 (SMPP 5.0 peer)
    auto d = decode(bytes_from_hex(ussdgw::smpp::test::kPeerBindV50Hex));
    REQUIRE(d.ok());
    CHECK(std::get<BindRequest>(d->body).interface_version == 0x50);
    CHECK(std::get<BindRequest>(d->body).system_id == "a");
    // vendor command_status in a response, with and without a body
    d = decode(bytes_from_hex("00000010800000040000040400000009"));
    REQUIRE(d.ok());
    CHECK(d->command_status == 0x404);
    CHECK(std::get<SubmitSmResp>(d->body).message_id.empty());
    d = decode(bytes_from_hex("00000010800000090000000e00000001"));  // bind_resp, invpaswd
    REQUIRE(d.ok());
    CHECK(d->command_status == status::invpaswd);
    CHECK(std::holds_alternative<BindResponse>(d->body));
    d = decode(bytes_from_hex("000000128000000400000000000000010000"));
    CHECK_FALSE(d.ok());  // two NULs: the second is a truncated TLV header
    // submit_sm_resp with an OK status but no body at all, and with trailing TLVs
    d = decode(bytes_from_hex("00000010800000040000000000000009"));
    REQUIRE(d.ok());
    d =
        decode(bytes_from_hex("00000017800000040000000000000009"
                              "3100"
                              "04250001"
                              "02"));
    REQUIRE(d.ok());
    CHECK(std::get<SubmitSmResp>(d->body).message_id == "1");
    // a receipted_message_id without its terminator
    d =
        decode(deliver_with_tlvs("001e"
                                 "0003"
                                 "414243"));
    REQUIRE(d.ok());
    CHECK(std::get<DeliverSm>(d->body).tlvs.receipted_message_id == "ABC");
}

}  // namespace pdu_decoder_test
