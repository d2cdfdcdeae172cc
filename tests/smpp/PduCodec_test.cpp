// PduCodec (smpp/PduCodec.hpp, the codec's one interface): round trips of every PDU type
// through encode and decode, and golden byte vectors written by hand from the SMPP 3.4
// specification. The halves have their own files: PduDecoder_test (framing, malformed
// frames, peers' quirks), PduEncoder_test, TlvCodec_test.
#include "smpp/PduCodec.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "SamplePdus.hpp"
#include "SmppCodecTestSupport.hpp"
#include "SmppTestSupport.hpp"

namespace pdu_codec_test {

using namespace ussdgw::smpp;
using ussdgw::smpp::test::bind;
using ussdgw::smpp::test::bind_resp;
using ussdgw::smpp::test::bytes_from_hex;
using ussdgw::smpp::test::deliver_with_tlvs;
using ussdgw::smpp::test::hex;
using ussdgw::smpp::test::pdu;
using ussdgw::smpp::test::ussd_deliver_sm;
using ussdgw::smpp::test::ussd_submit_sm;

namespace {

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

}  // namespace

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

TEST_CASE("the codec on several threads at once: every round trip exact") {
    // libsmpp34 writes a global error buffer on every call: each thread is given a private
    // copy of it (smpp/detail/LibSmpp34.hpp), so that event loops on several threads need
    // not take turns; more threads than copies share them under each copy's lock.
    constexpr int kThreads = 12;  // more than the copies (8)
    constexpr int kEach = 1500;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([t, &wrong] {
            for (int i = 0; i < kEach; ++i) {
                SubmitSm s;
                s.service_type = "USSD";
                s.source = {0, 0, "141"};
                s.destination = {1, 1, "3752910" + std::to_string(10000 + t * kEach + i)};
                s.short_message = "screen " + std::to_string(t) + "/" + std::to_string(i);
                s.tlvs.ussd_service_op = ussd_op::ussr_request;
                s.tlvs.its_session_info = std::array<std::uint8_t, 2>{static_cast<std::uint8_t>(t),
                                                                      static_cast<std::uint8_t>(i)};
                Pdu p = pdu(s, static_cast<std::uint32_t>(i + 1));
                auto enc = encode(p);
                if (!enc) {
                    ++wrong;
                    continue;
                }
                auto dec = decode(*enc);
                if (!dec || !(*dec == p)) ++wrong;
            }
        });
    for (auto& th : threads)
        th.join();
    CHECK(wrong.load() == 0);
}

}  // namespace pdu_codec_test
