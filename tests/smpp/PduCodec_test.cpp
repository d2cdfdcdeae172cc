// PduCodec: round trips of every PDU type, golden byte vectors written by hand from the
// SMPP 3.4 specification, and the malformed frames a hostile or sloppy peer sends.
#include "smpp/PduCodec.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "SamplePdus.hpp"
#include "SmppTestSupport.hpp"

using namespace ussdgw::smpp;
using ussdgw::smpp::test::bytes_from_hex;
using ussdgw::smpp::test::hex;
using ussdgw::smpp::test::pdu;
using ussdgw::smpp::test::ussd_deliver_sm;
using ussdgw::smpp::test::ussd_submit_sm;

namespace {

BindRequest bind(BindType t, std::string system_id = {}, std::string password = {}) {
    BindRequest b;
    b.type = t;
    b.system_id = std::move(system_id);
    b.password = std::move(password);
    return b;
}
BindResponse bind_resp(BindType t, std::string system_id = {}) {
    BindResponse b;
    b.type = t;
    b.system_id = std::move(system_id);
    return b;
}

Pdu round_trip(const Pdu& p) {
    auto enc = encode(p);
    REQUIRE_MESSAGE(enc.ok(), (enc.ok() ? "" : enc.error().message));
    const auto fl = frame_length(*enc);
    REQUIRE(fl.kind == FrameLength::Kind::frame);
    REQUIRE(fl.length == enc->size());
    INFO("encoded: ", hex(*enc));
    auto dec = decode(*enc);
    REQUIRE_MESSAGE(dec.ok(), (dec.ok() ? "" : dec.error().reason));
    CHECK(dec->command_id() == p.command_id());
    CHECK(*dec == p);
    return *dec;
}

Tlvs all_tlvs() {
    Tlvs t;
    t.ussd_service_op = ussd_op::pssr_indication;
    t.its_session_info = std::array<std::uint8_t, 2>{0x12, 0x01};
    t.user_message_reference = 0xBEEF;
    t.message_payload = std::string("payload \x00\x01\xff bytes", 17);
    t.receipted_message_id = "ABC123";
    t.message_state = 2;
    t.network_error_code = std::array<std::uint8_t, 3>{3, 0x00, 0x22};
    t.sar_msg_ref_num = 0x0102;
    t.sar_total_segments = 3;
    t.sar_segment_seqnum = 2;
    t.sc_interface_version = 0x34;
    t.other.push_back(RawTlv{0x1401, {1, 2, 3}});
    t.other.push_back(RawTlv{0x0019, {}});
    return t;
}

DecodeError decode_error(const std::vector<std::uint8_t>& frame) {
    auto r = decode(frame);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

// A deliver_sm with ussd_service_op = 1 whose TLV part is replaced by `tlv_hex`.
std::vector<std::uint8_t> deliver_with_tlvs(const std::string& tlv_hex) {
    DeliverSm d = ussd_deliver_sm("*141#");
    d.tlvs = {};
    auto f = encode(pdu(d)).value();
    auto t = bytes_from_hex(tlv_hex);
    f.insert(f.end(), t.begin(), t.end());
    ussdgw::smpp::test::fix_length(f);
    return f;
}

}  // namespace

TEST_CASE("command_name and command_id") {
    CHECK(std::string(command_name(0x00000004)) == "submit_sm");
    CHECK(std::string(command_name(0x80000009)) == "bind_transceiver_resp");
    CHECK(std::string(command_name(0x00000103)) == "data_sm");
    CHECK(std::string(command_name(0x12345678)) == "unknown");
    CHECK(pdu(bind(BindType::receiver)).command_id() == 0x00000001);
    CHECK(pdu(bind(BindType::transmitter)).command_id() == 0x00000002);
    CHECK(pdu(bind(BindType::transceiver)).command_id() == 0x00000009);
    CHECK(pdu(bind_resp(BindType::receiver)).command_id() == 0x80000001);
    CHECK(pdu(bind_resp(BindType::transmitter)).command_id() == 0x80000002);
    CHECK(pdu(bind_resp(BindType::transceiver)).command_id() == 0x80000009);
    CHECK(pdu(GenericNack{}).command_id() == 0x80000000);
    CHECK(pdu(DataSmResp{}).command_id() == 0x80000103);
}

TEST_CASE("round trip: binds, outbind and the header-only PDUs") {
    for (auto type : {BindType::receiver, BindType::transmitter, BindType::transceiver}) {
        BindRequest b;
        b.type = type;
        b.system_id = "ussdgw_system15";
        b.password = "pass1234";
        b.system_type = "USSD_GATEWAY";
        b.interface_version = 0x34;
        b.address_range = {1, 1, "^7900.*"};
        round_trip(pdu(b));
        b.interface_version = 0x50;  // SMPP 5.0 peers: libsmpp34 alone refuses this
        b.address_range = {7, 15, std::string(40, 'r')};  // TON/NPI libsmpp34 does not list
        round_trip(pdu(b));

        BindResponse r;
        r.type = type;
        r.system_id = "SMSC";
        round_trip(pdu(r));
        r.sc_interface_version = 0x34;
        round_trip(pdu(r));
        round_trip(pdu(bind_resp(type), 9, status::invpaswd));  // header only
        round_trip(pdu(bind_resp(type, "SMSC"), 9, status::bindfail));
    }
    round_trip(pdu(Outbind{"smsc", "secret"}));
    round_trip(pdu(Unbind{}));
    round_trip(pdu(UnbindResp{}));
    round_trip(pdu(EnquireLink{}, 0x7FFFFFFF));
    round_trip(pdu(EnquireLinkResp{}, 0));
    round_trip(pdu(GenericNack{}, 0, status::invcmdid));
    round_trip(pdu(GenericNack{}, 5, 0x00000401));  // a vendor status
}

TEST_CASE("round trip: submit_sm and deliver_sm with every TLV") {
    SubmitSm s;
    s.service_type = "USSD";
    s.source = {0, 0, "141"};
    s.destination = {1, 1, "79001234567"};
    s.esm_class = 0x40;
    s.protocol_id = 1;
    s.priority_flag = 2;
    s.schedule_delivery_time = "261124235959000+";
    s.validity_period = "000001000000000R";
    s.registered_delivery = 1;
    s.replace_if_present_flag = 1;
    s.data_coding = 8;
    s.sm_default_msg_id = 3;
    s.short_message = std::string("\x04\x1f\x00\x00", 4);
    s.tlvs = all_tlvs();
    round_trip(pdu(s));
    s.short_message = std::string(254, 'x');  // the maximum (libsmpp34 alone refuses it)
    round_trip(pdu(s));
    s.short_message.clear();
    s.tlvs = {};
    s.tlvs.message_payload = std::string(65535, 'p');  // 64 KiB payload, beyond libsmpp34's 1024
    round_trip(pdu(s));

    DeliverSm d;
    d.service_type = "USSD";
    d.source = {1, 1, "79001234567"};
    d.destination = {0, 0, "141"};
    d.short_message = "*141*3*6#";
    d.tlvs.ussd_service_op = ussd_op::pssr_indication;
    d.tlvs.its_session_info = std::array<std::uint8_t, 2>{0x05, 0x00};
    round_trip(pdu(d));
    d.schedule_delivery_time = "261124235959000+";  // not allowed by 3.4, sent by some
    d.tlvs = all_tlvs();
    round_trip(pdu(d));
}

TEST_CASE("round trip: responses, data_sm") {
    round_trip(pdu(SubmitSmResp{"msg-0001"}));
    round_trip(pdu(SubmitSmResp{std::string(64, 'm')}));
    round_trip(pdu(SubmitSmResp{""}, 3, status::throttled));  // header only on the wire
    round_trip(pdu(SubmitSmResp{"x"}, 3, 0x00000400));        // vendor status with a body
    round_trip(pdu(DeliverSmResp{""}));
    round_trip(pdu(DeliverSmResp{"id-from-esme"}));  // libsmpp34 alone refuses this
    round_trip(pdu(DeliverSmResp{}, 4, status::syserr));

    DataSm d;
    d.service_type = "WAP";
    d.source = {5, 0, "Alphanumeric-source"};
    d.destination = {1, 1, std::string(64, '9')};
    d.esm_class = 0;
    d.registered_delivery = 1;
    d.data_coding = 4;
    d.tlvs = all_tlvs();
    round_trip(pdu(d));
    d.source.address = std::string(64, 's');  // longer than libsmpp34's 20
    round_trip(pdu(d));

    DataSmResp r;
    r.message_id = "dsm-1";
    r.tlvs.network_error_code = std::array<std::uint8_t, 3>{1, 2, 3};
    r.tlvs.other.push_back(RawTlv{0x001D, {'o', 'k', 0}});
    round_trip(pdu(r));
    round_trip(pdu(DataSmResp{}, 8, status::deliveryfailure));
}

TEST_CASE("golden: bind_transceiver, written from SMPP 3.4 section 4.1.5") {
    BindRequest b;
    b.type = BindType::transceiver;
    b.system_id = "ussdgw";
    b.password = "secret";
    b.system_type = "";
    b.interface_version = 0x34;
    b.address_range = {0, 0, ""};
    const std::string expected =
        "00000023"  // command_length 35
        "00000009"  // bind_transceiver
        "00000000"  // command_status
        "00000001"  // sequence_number
        "757373646777"
        "00"  // system_id "ussdgw"
        "736563726574"
        "00"  // password "secret"
        "00"  // system_type ""
        "34"
        "00"
        "00"   // interface_version, addr_ton, addr_npi
        "00";  // address_range ""
    CHECK(hex(encode(pdu(b, 1)).value()) == expected);
    auto d = decode(bytes_from_hex(expected));
    REQUIRE(d.ok());
    CHECK(*d == pdu(b, 1));
}

TEST_CASE("golden: deliver_sm opening a USSD dialogue (ussd_service_op 1, its_session_info)") {
    const DeliverSm d = ussd_deliver_sm("*141#");
    const std::string expected =
        "00000043"  // command_length 67
        "00000005"  // deliver_sm
        "00000000"
        "00000002"
        "55535344"
        "00"  // service_type "USSD"
        "01"
        "01"
        "3739303031323334353637"
        "00"  // source 1/1 "79001234567"
        "00"
        "00"
        "313431"
        "00"  // dest 0/0 "141"
        "00"
        "00"
        "00"  // esm_class, protocol_id, priority_flag
        "00"
        "00"  // schedule_delivery_time, validity_period
        "00"
        "00"
        "00"
        "00"  // registered, replace, data_coding, default_msg_id
        "05"
        "2a31343123"  // sm_length 5, "*141#"
        "0501"
        "0001"
        "01"  // ussd_service_op = 1 (PSSR indication)
        "1383"
        "0002"
        "2a00";  // its_session_info 0x2A00
    CHECK(hex(encode(pdu(d, 2)).value()) == expected);
    auto got = decode(bytes_from_hex(expected));
    REQUIRE(got.ok());
    CHECK(*got == pdu(d, 2));
}

TEST_CASE("golden: submit_sm ending a dialogue (op 17, UCS2 text)") {
    // "Да" in UCS2 big-endian, ussd_service_op 17, its_session_info 0x2A01 (end bit set).
    const SubmitSm s = ussd_submit_sm();
    const std::string expected =
        "00000042"  // command_length 66
        "00000004"  // submit_sm
        "00000000"
        "0000000a"
        "55535344"
        "00"
        "00"
        "00"
        "313431"
        "00"
        "01"
        "01"
        "3739303031323334353637"
        "00"
        "00"
        "00"
        "00"
        "00"
        "00"
        "00"
        "00"
        "08"
        "00"  // data_coding 8 (UCS2)
        "04"
        "04140430"  // sm_length 4
        "0501"
        "0001"
        "11"  // ussd_service_op = 17 (PSSR response)
        "1383"
        "0002"
        "2a01";
    CHECK(hex(encode(pdu(s, 10)).value()) == expected);
    auto got = decode(bytes_from_hex(expected));
    REQUIRE(got.ok());
    CHECK(*got == pdu(s, 10));
}

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

TEST_CASE("peers' quirks are accepted") {
    // bind_transceiver with interface_version 0x50 (SMPP 5.0 peer)
    auto d =
        decode(bytes_from_hex("00000019000000090000000000000001"
                              "6100"
                              "6200"
                              "00"
                              "50"
                              "00"
                              "00"
                              "00"));
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

TEST_CASE("values libsmpp34 alone refuses round-trip: sequence 0, odd TON/NPI, vendor status") {
    SubmitSm s;
    s.source = {7, 15, "src"};
    s.destination = {0xFF, 0xFF, "dst"};
    s.short_message = "x";
    round_trip(pdu(s, 0));
    round_trip(pdu(SubmitSmResp{"id"}, 0, 0x000004FF));
    DataSm d;
    d.source = {9, 9, "a"};
    d.destination = {6, 18, "b"};
    round_trip(pdu(d, 0xFFFFFFFF));
    DataSmResp r;
    r.message_id = "r";
    round_trip(pdu(r, 1, 0x00000500));
    // duplicate modelled TLVs: the last one wins
    auto dup =
        decode(deliver_with_tlvs("0501000101"
                                 "0501000112"));
    REQUIRE(dup.ok());
    CHECK(std::get<DeliverSm>(dup->body).tlvs.ussd_service_op == 18);
}

TEST_CASE("encode refuses what does not fit, never truncates") {
    std::vector<std::uint8_t> out{0xAA};
    SubmitSm s;
    s.source.address = std::string(21, '1');
    auto st = encode(pdu(s), out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "encode.field_too_long");
    CHECK(out.size() == 1);  // nothing appended
    s.source.address = "1";
    s.short_message = std::string(255, 'x');
    CHECK_FALSE(encode(pdu(s)).ok());
    s.short_message = "x";
    s.service_type = "USSD12";
    CHECK_FALSE(encode(pdu(s)).ok());
    s.service_type = std::string("a\0b", 3);
    CHECK(encode(pdu(s)).error().code == "encode.bad_field");
    CHECK_FALSE(encode(pdu(bind(BindType::transmitter, std::string(16, 's')))).ok());
    CHECK_FALSE(encode(pdu(bind(BindType::transmitter, "s", "123456789"))).ok());
    CHECK_FALSE(encode(pdu(SubmitSmResp{std::string(65, 'm')})).ok());
    DataSm d;
    d.destination.address = std::string(65, '1');
    CHECK_FALSE(encode(pdu(d)).ok());
    DeliverSm dl;
    dl.tlvs.message_payload = std::string(65536, 'p');
    CHECK_FALSE(encode(pdu(dl)).ok());
    dl.tlvs.message_payload.reset();
    dl.tlvs.receipted_message_id = std::string(65, 'r');
    CHECK_FALSE(encode(pdu(dl)).ok());
    // encode appends: two PDUs in one buffer frame one after the other
    out.clear();
    REQUIRE(encode(pdu(EnquireLink{}, 1), out).ok());
    REQUIRE(encode(pdu(SubmitSmResp{"42"}, 2), out).ok());
    auto first = frame_length(out);
    REQUIRE(first.kind == FrameLength::Kind::frame);
    auto second = frame_length(std::span(out).subspan(first.length));
    REQUIRE(second.kind == FrameLength::Kind::frame);
    CHECK(first.length + second.length == out.size());
    auto p = decode(std::span(out).subspan(first.length, second.length));
    REQUIRE(p.ok());
    CHECK(std::get<SubmitSmResp>(p->body).message_id == "42");
}
