// The sample PDUs shared by the codec tests, the codec bench, and the tshark cross-check and
// fuzz corpus writer (tests/interop/golden_writer.cpp): a USSD dialogue's deliver_sm and
// submit_sm, and one or more of every other PDU type.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "smpp/Pdu.hpp"

namespace ussdgw::smpp::test {

inline BindRequest bind(BindType t, std::string system_id = {}, std::string password = {}) {
    BindRequest b;
    b.type = t;
    b.system_id = std::move(system_id);
    b.password = std::move(password);
    return b;
}
inline BindResponse bind_resp(BindType t, std::string system_id = {}) {
    BindResponse b;
    b.type = t;
    b.system_id = std::move(system_id);
    return b;
}

inline Pdu pdu(PduBody body, std::uint32_t seq = 7, std::uint32_t st = status::ok) {
    Pdu p;
    p.sequence_number = seq;
    p.command_status = st;
    p.body = std::move(body);
    return p;
}

// A plain SMS from 141, as the session and network tests send it.
inline SubmitSm test_submit(std::string text = "hello") {
    SubmitSm s;
    s.source.address = "141";
    s.destination.address = "375291234567";
    s.short_message = std::move(text);
    return s;
}

// The USSD centre opens a dialogue: ussd_service_op 1 (PSSR indication), its_session_info
// session 0x2A.
inline DeliverSm ussd_deliver_sm(std::string text = "*141*3*6#") {
    DeliverSm d;
    d.service_type = "USSD";
    d.source = {1, 1, "79001234567"};
    d.destination = {0, 0, "141"};
    d.short_message = std::move(text);
    d.tlvs.ussd_service_op = ussd_op::pssr_indication;
    d.tlvs.its_session_info = std::array<std::uint8_t, 2>{0x2A, 0x00};
    return d;
}

// The engine's final screen: ussd_service_op 17 (PSSR response), UCS2 ("Да" by default),
// its_session_info with the end bit set.
inline SubmitSm ussd_submit_sm(std::string ucs2 = std::string("\x04\x14\x04\x30", 4)) {
    SubmitSm s;
    s.service_type = "USSD";
    s.source = {0, 0, "141"};
    s.destination = {1, 1, "79001234567"};
    s.data_coding = 8;
    s.short_message = std::move(ucs2);
    s.tlvs.ussd_service_op = ussd_op::pssr_response;
    s.tlvs.its_session_info = std::array<std::uint8_t, 2>{0x2A, 0x01};
    return s;
}

// Every PDU type, named. The names are stable: tests/interop/tshark_decode.py looks them up.
inline std::vector<std::pair<std::string, Pdu>> sample_pdus() {
    std::vector<std::pair<std::string, Pdu>> v;
    BindRequest b;
    b.type = BindType::transceiver;
    b.system_id = "ussdgw";
    b.password = "secret";
    b.system_type = "USSD";
    b.interface_version = 0x34;
    b.address_range = {1, 1, "7900"};
    v.emplace_back("bind_transceiver", pdu(b, 1));
    b.type = BindType::transmitter;
    v.emplace_back("bind_transmitter", pdu(b, 2));
    b.type = BindType::receiver;
    v.emplace_back("bind_receiver", pdu(b, 3));
    BindResponse br;
    br.type = BindType::transceiver;
    br.system_id = "SMSC";
    br.sc_interface_version = 0x34;
    v.emplace_back("bind_transceiver_resp", pdu(br, 1));
    br.type = BindType::transmitter;
    br.sc_interface_version.reset();
    v.emplace_back("bind_transmitter_resp", pdu(br, 2));
    br.type = BindType::receiver;
    v.emplace_back("bind_receiver_resp", pdu(br, 3));
    v.emplace_back("outbind", pdu(Outbind{"smsc", "pw"}, 4));

    v.emplace_back("deliver_sm_ussd", pdu(ussd_deliver_sm(), 5));
    SubmitSm s = ussd_submit_sm();
    s.tlvs.user_message_reference = 4660;
    v.emplace_back("submit_sm_ussd", pdu(s, 6));

    SubmitSm sms;
    sms.source = {5, 0, "Operator"};
    sms.destination = {1, 1, "79001234567"};
    sms.registered_delivery = 1;
    sms.data_coding = 8;
    sms.tlvs.message_payload = "payload-text-42";
    sms.tlvs.sar_msg_ref_num = 777;
    sms.tlvs.sar_total_segments = 3;
    sms.tlvs.sar_segment_seqnum = 2;
    v.emplace_back("submit_sm_sar", pdu(sms, 7));

    DeliverSm rcpt;
    rcpt.source = {1, 1, "79001234567"};
    rcpt.destination = {5, 0, "Operator"};
    rcpt.esm_class = 0x04;
    rcpt.short_message = "id:ABC123 sub:001 dlvrd:001 stat:DELIVRD";
    rcpt.tlvs.receipted_message_id = "ABC123";
    rcpt.tlvs.message_state = 2;
    rcpt.tlvs.network_error_code = std::array<std::uint8_t, 3>{3, 0x00, 0x22};
    v.emplace_back("deliver_sm_receipt", pdu(rcpt, 8));

    v.emplace_back("submit_sm_resp", pdu(SubmitSmResp{"ABC123"}, 6));
    v.emplace_back("submit_sm_resp_error", pdu(SubmitSmResp{}, 9, status::throttled));
    v.emplace_back("deliver_sm_resp", pdu(DeliverSmResp{}, 5));

    DataSm ds;
    ds.service_type = "WAP";
    ds.source = {1, 1, "79001234567"};
    ds.destination = {0, 0, "141"};
    ds.tlvs.message_payload = "data-sm-payload";
    v.emplace_back("data_sm", pdu(ds, 10));
    DataSmResp dr;
    dr.message_id = "DSM1";
    v.emplace_back("data_sm_resp", pdu(dr, 10));

    v.emplace_back("enquire_link", pdu(EnquireLink{}, 11));
    v.emplace_back("enquire_link_resp", pdu(EnquireLinkResp{}, 11));
    v.emplace_back("unbind", pdu(Unbind{}, 12));
    v.emplace_back("unbind_resp", pdu(UnbindResp{}, 12));
    v.emplace_back("generic_nack", pdu(GenericNack{}, 13, status::invcmdid));
    return v;
}

}  // namespace ussdgw::smpp::test
