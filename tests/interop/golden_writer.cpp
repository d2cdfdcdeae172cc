// smpp_golden_writer: our codec as a command-line tool for cross-checks with independent
// decoders (tshark) and for the fuzz seed corpus.
//   smpp_golden_writer encode        one line per PDU: "<name> <hex of our encoding>"
//   smpp_golden_writer decode        reads hex frames (one per line) from stdin, prints
//                                    one line per frame: our decoding as key=value pairs
//   smpp_golden_writer corpus DIR    writes valid and malformed frames as files into DIR
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "smpp/PduCodec.hpp"

using namespace ussdgw::smpp;

namespace {

std::string hex(std::string_view b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (unsigned char c : b) {
        s.push_back(d[c >> 4]);
        s.push_back(d[c & 15]);
    }
    return s;
}
std::string hex(const std::vector<std::uint8_t>& b) {
    return hex(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

bool from_hex(const std::string& h, std::vector<std::uint8_t>& out) {
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    int hi = -1;
    for (char c : h) {
        if (c == ' ' || c == '\t' || c == '\r') continue;
        const int n = nib(c);
        if (n < 0) return false;
        if (hi < 0) {
            hi = n;
        } else {
            out.push_back(static_cast<std::uint8_t>(hi << 4 | n));
            hi = -1;
        }
    }
    return hi < 0;
}

Pdu make(PduBody body, std::uint32_t seq, std::uint32_t st = status::ok) {
    Pdu p;
    p.sequence_number = seq;
    p.command_status = st;
    p.body = std::move(body);
    return p;
}

// The PDUs the tshark cross-check looks at. Names are stable: the script greps by them.
std::vector<std::pair<std::string, Pdu>> samples() {
    std::vector<std::pair<std::string, Pdu>> v;
    BindRequest b;
    b.type = BindType::transceiver;
    b.system_id = "ussdgw";
    b.password = "secret";
    b.system_type = "USSD";
    b.interface_version = 0x34;
    b.address_range = {1, 1, "7900"};
    v.emplace_back("bind_transceiver", make(b, 1));
    b.type = BindType::transmitter;
    v.emplace_back("bind_transmitter", make(b, 2));
    b.type = BindType::receiver;
    v.emplace_back("bind_receiver", make(b, 3));
    BindResponse br;
    br.type = BindType::transceiver;
    br.system_id = "SMSC";
    br.sc_interface_version = 0x34;
    v.emplace_back("bind_transceiver_resp", make(br, 1));
    br.type = BindType::transmitter;
    br.sc_interface_version.reset();
    v.emplace_back("bind_transmitter_resp", make(br, 2));
    br.type = BindType::receiver;
    v.emplace_back("bind_receiver_resp", make(br, 3));
    v.emplace_back("outbind", make(Outbind{"smsc", "pw"}, 4));

    DeliverSm d;
    d.service_type = "USSD";
    d.source = {1, 1, "79001234567"};
    d.destination = {0, 0, "141"};
    d.short_message = "*141*3*6#";
    d.tlvs.ussd_service_op = ussd_op::pssr_indication;
    d.tlvs.its_session_info = std::array<std::uint8_t, 2>{0x2A, 0x00};
    v.emplace_back("deliver_sm_ussd", make(d, 5));

    SubmitSm s;
    s.service_type = "USSD";
    s.source = {0, 0, "141"};
    s.destination = {1, 1, "79001234567"};
    s.data_coding = 8;
    s.short_message = std::string("\x04\x14\x04\x30", 4);
    s.tlvs.ussd_service_op = ussd_op::pssr_response;
    s.tlvs.its_session_info = std::array<std::uint8_t, 2>{0x2A, 0x01};
    s.tlvs.user_message_reference = 4660;
    v.emplace_back("submit_sm_ussd", make(s, 6));

    SubmitSm sms;
    sms.source = {5, 0, "Operator"};
    sms.destination = {1, 1, "79001234567"};
    sms.registered_delivery = 1;
    sms.data_coding = 8;
    sms.tlvs.message_payload = "payload-text-42";
    sms.tlvs.sar_msg_ref_num = 777;
    sms.tlvs.sar_total_segments = 3;
    sms.tlvs.sar_segment_seqnum = 2;
    v.emplace_back("submit_sm_sar", make(sms, 7));

    DeliverSm rcpt;
    rcpt.source = {1, 1, "79001234567"};
    rcpt.destination = {5, 0, "Operator"};
    rcpt.esm_class = 0x04;
    rcpt.short_message = "id:ABC123 sub:001 dlvrd:001 stat:DELIVRD";
    rcpt.tlvs.receipted_message_id = "ABC123";
    rcpt.tlvs.message_state = 2;
    rcpt.tlvs.network_error_code = std::array<std::uint8_t, 3>{3, 0x00, 0x22};
    v.emplace_back("deliver_sm_receipt", make(rcpt, 8));

    v.emplace_back("submit_sm_resp", make(SubmitSmResp{"ABC123"}, 6));
    v.emplace_back("submit_sm_resp_error", make(SubmitSmResp{}, 9, status::throttled));
    v.emplace_back("deliver_sm_resp", make(DeliverSmResp{}, 5));

    DataSm ds;
    ds.service_type = "WAP";
    ds.source = {1, 1, "79001234567"};
    ds.destination = {0, 0, "141"};
    ds.tlvs.message_payload = "data-sm-payload";
    v.emplace_back("data_sm", make(ds, 10));
    DataSmResp dr;
    dr.message_id = "DSM1";
    v.emplace_back("data_sm_resp", make(dr, 10));

    v.emplace_back("enquire_link", make(EnquireLink{}, 11));
    v.emplace_back("enquire_link_resp", make(EnquireLinkResp{}, 11));
    v.emplace_back("unbind", make(Unbind{}, 12));
    v.emplace_back("unbind_resp", make(UnbindResp{}, 12));
    v.emplace_back("generic_nack", make(GenericNack{}, 13, status::invcmdid));
    return v;
}

void addr(std::string& o, const char* key, const Address& a) {
    o += " " + std::string(key) + "=" + std::to_string(a.ton) + "/" + std::to_string(a.npi) + "/" +
         a.address;
}

void tlvs(std::string& o, const Tlvs& t) {
    if (t.ussd_service_op) o += " ussd_service_op=" + std::to_string(*t.ussd_service_op);
    if (t.its_session_info)
        o += " its_session_info=" +
             hex(std::string_view(reinterpret_cast<const char*>(t.its_session_info->data()), 2));
    if (t.user_message_reference)
        o += " user_message_reference=" + std::to_string(*t.user_message_reference);
    if (t.message_payload) o += " message_payload_hex=" + hex(*t.message_payload);
    if (t.receipted_message_id) o += " receipted_message_id=" + *t.receipted_message_id;
    if (t.message_state) o += " message_state=" + std::to_string(*t.message_state);
    if (t.network_error_code)
        o += " network_error_code=" +
             hex(std::string_view(reinterpret_cast<const char*>(t.network_error_code->data()), 3));
    if (t.sar_msg_ref_num) o += " sar_msg_ref_num=" + std::to_string(*t.sar_msg_ref_num);
    if (t.sar_total_segments) o += " sar_total_segments=" + std::to_string(*t.sar_total_segments);
    if (t.sar_segment_seqnum) o += " sar_segment_seqnum=" + std::to_string(*t.sar_segment_seqnum);
    if (t.sc_interface_version)
        o += " sc_interface_version=" + std::to_string(*t.sc_interface_version);
    for (const auto& r : t.other)
        o += " tlv_" + std::to_string(r.tag) + "=" + hex(r.value);
}

std::string describe(const Pdu& p) {
    char head[96];
    std::snprintf(head, sizeof head, "command=%s status=%u seq=%u", command_name(p.command_id()),
                  p.command_status, p.sequence_number);
    std::string o = head;
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, BindRequest>) {
                o += " system_id=" + b.system_id + " password=" + b.password +
                     " system_type=" + b.system_type +
                     " interface_version=" + std::to_string(b.interface_version);
                addr(o, "address_range", b.address_range);
            } else if constexpr (std::is_same_v<T, BindResponse>) {
                o += " system_id=" + b.system_id;
                if (b.sc_interface_version)
                    o += " sc_interface_version=" + std::to_string(*b.sc_interface_version);
            } else if constexpr (std::is_same_v<T, Outbind>) {
                o += " system_id=" + b.system_id + " password=" + b.password;
            } else if constexpr (std::is_base_of_v<ShortMessage, T>) {
                o += " service_type=" + b.service_type;
                addr(o, "source", b.source);
                addr(o, "destination", b.destination);
                o += " esm_class=" + std::to_string(b.esm_class) +
                     " data_coding=" + std::to_string(b.data_coding) +
                     " registered_delivery=" + std::to_string(b.registered_delivery) +
                     " short_message_hex=" + hex(b.short_message);
                tlvs(o, b.tlvs);
            } else if constexpr (std::is_same_v<T, DataSm>) {
                o += " service_type=" + b.service_type;
                addr(o, "source", b.source);
                addr(o, "destination", b.destination);
                o += " data_coding=" + std::to_string(b.data_coding);
                tlvs(o, b.tlvs);
            } else if constexpr (std::is_same_v<T, DataSmResp>) {
                o += " message_id=" + b.message_id;
                tlvs(o, b.tlvs);
            } else if constexpr (std::is_same_v<T, SubmitSmResp> ||
                                 std::is_same_v<T, DeliverSmResp>) {
                o += " message_id=" + b.message_id;
            }
        },
        p.body);
    return o;
}

void put(const std::string& dir, const std::string& name, const std::vector<std::uint8_t>& b) {
    std::ofstream f(dir + "/" + name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void set_length(std::vector<std::uint8_t>& f) {
    const auto n = static_cast<std::uint32_t>(f.size());
    f[0] = static_cast<std::uint8_t>(n >> 24);
    f[1] = static_cast<std::uint8_t>(n >> 16);
    f[2] = static_cast<std::uint8_t>(n >> 8);
    f[3] = static_cast<std::uint8_t>(n);
}

int corpus(const std::string& dir) {
    int n = 0;
    for (const auto& [name, p] : samples()) {
        auto f = encode(p).value();
        put(dir, "valid_" + name, f);
        ++n;
        if (f.size() > kHeaderLength + 2) {  // the same frame cut short, lengths fixed
            auto cut = f;
            cut.resize(f.size() - 2);
            set_length(cut);
            put(dir, "cut_" + name, cut);
            auto lie = f;  // command_length one more than the data
            lie[3] = static_cast<std::uint8_t>(lie[3] + 1);
            put(dir, "lie_" + name, lie);
            n += 2;
        }
    }
    std::vector<std::uint8_t> h;
    from_hex("00000010000000ff0000000000000001", h);
    put(dir, "bad_unknown_command", h);
    h.clear();
    from_hex("0000000f000000150000000000000001", h);
    put(dir, "bad_length_15", h);
    h.clear();
    from_hex(
        "00000014000000020000000000000001"
        "61626364",
        h);
    put(dir, "bad_unterminated_system_id", h);
    h.clear();
    from_hex(
        "00000019000000090000000000000001"
        "6100"
        "6200"
        "00"
        "50"
        "00"
        "00"
        "00",
        h);
    put(dir, "peer_bind_v50", h);
    h.clear();
    from_hex("00000010800000040000040400000009", h);
    put(dir, "peer_vendor_status", h);
    auto flood = encode(samples()[7].second).value();  // deliver_sm_ussd
    for (int i = 0; i < 200; ++i)
        flood.insert(flood.end(), {0x14, 0x00, 0x00, 0x00});
    set_length(flood);
    put(dir, "bad_tlv_flood", flood);
    auto badlen = encode(samples()[7].second).value();
    badlen.insert(badlen.end(), {0x05, 0x01, 0x00, 0x02, 0x01, 0x00});
    set_length(badlen);
    put(dir, "bad_tlv_length", badlen);
    auto trunc = encode(samples()[7].second).value();
    trunc.insert(trunc.end(), {0x04, 0x24, 0x00, 0x20, 0x41});
    set_length(trunc);
    put(dir, "bad_tlv_truncated", trunc);
    auto smlen = encode(samples()[8].second).value();  // submit_sm_ussd: sm_length 4
    for (std::size_t i = kHeaderLength; i + 4 < smlen.size(); ++i)
        if (smlen[i] == 4 && smlen[i + 1] == 0x04 && smlen[i + 2] == 0x14) {
            smlen[i] = 200;
            break;
        }
    put(dir, "bad_sm_length", smlen);
    return n + 10;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "encode") {
        for (const auto& [name, p] : samples()) {
            auto f = encode(p);
            if (!f) {
                std::cerr << name << ": " << f.error().message << "\n";
                return 1;
            }
            std::cout << name << " " << hex(*f) << "\n";
        }
        return 0;
    }
    if (mode == "decode") {
        std::string line;
        int bad = 0;
        while (std::getline(std::cin, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::vector<std::uint8_t> f;
            if (!from_hex(line, f)) {
                std::cout << "error bad hex\n";
                ++bad;
                continue;
            }
            auto p = decode(f);
            if (!p) {
                const auto& e = p.error();
                std::cout << "error status=" << e.status << " nack=" << e.answer_with_generic_nack
                          << " response=" << e.is_response << " reason=" << e.reason << "\n";
                continue;
            }
            std::cout << describe(*p) << "\n";
        }
        return bad == 0 ? 0 : 1;
    }
    if (mode == "corpus" && argc > 2) {
        std::cout << corpus(argv[2]) << " files\n";
        return 0;
    }
    std::cerr << "usage: smpp_golden_writer encode | decode | corpus DIR\n";
    return 2;
}
