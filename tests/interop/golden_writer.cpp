// smpp_golden_writer: our codec as a command-line tool for cross-checks with independent
// decoders (tshark) and for the fuzz seed corpus.
//   smpp_golden_writer encode        one line per PDU: "<name> <hex of our encoding>"
//   smpp_golden_writer decode        reads hex frames (one per line) from stdin, prints
//                                    one line per frame: our decoding as key=value pairs
//   smpp_golden_writer corpus DIR    writes valid and malformed frames as files into DIR
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "smpp/PduCodec.hpp"
#include "tests/smpp/SamplePdus.hpp"
#include "tests/smpp/SmppTestSupport.hpp"

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;

namespace {

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

Pdu named(const std::string& name) {
    for (auto& [n, p] : sample_pdus())
        if (n == name) return p;
    throw std::invalid_argument("no sample " + name);
}

int corpus(const std::string& dir) {
    int n = 0;
    for (const auto& [name, p] : sample_pdus()) {
        auto f = encode(p).value();
        put(dir, "valid_" + name, f);
        ++n;
        if (f.size() > kHeaderLength + 2) {  // the same frame cut short, lengths fixed
            auto cut = f;
            cut.resize(f.size() - 2);
            fix_length(cut);
            put(dir, "cut_" + name, cut);
            auto lie = f;  // command_length one more than the data
            lie[3] = static_cast<std::uint8_t>(lie[3] + 1);
            put(dir, "lie_" + name, lie);
            n += 2;
        }
    }
    std::vector<std::uint8_t> h;
    parse_hex("00000010000000ff0000000000000001", h);
    put(dir, "bad_unknown_command", h);
    h.clear();
    parse_hex("0000000f000000150000000000000001", h);
    put(dir, "bad_length_15", h);
    h.clear();
    parse_hex(
        "00000014000000020000000000000001"
        "61626364",
        h);
    put(dir, "bad_unterminated_system_id", h);
    h.clear();
    parse_hex(kPeerBindV50Hex, h);
    put(dir, "peer_bind_v50", h);
    h.clear();
    parse_hex("00000010800000040000040400000009", h);
    put(dir, "peer_vendor_status", h);
    auto flood = encode(named("deliver_sm_ussd")).value();
    for (int i = 0; i < 200; ++i)
        flood.insert(flood.end(), {0x14, 0x00, 0x00, 0x00});
    fix_length(flood);
    put(dir, "bad_tlv_flood", flood);
    auto badlen = encode(named("deliver_sm_ussd")).value();
    badlen.insert(badlen.end(), {0x05, 0x01, 0x00, 0x02, 0x01, 0x00});
    fix_length(badlen);
    put(dir, "bad_tlv_length", badlen);
    auto trunc = encode(named("deliver_sm_ussd")).value();
    trunc.insert(trunc.end(), {0x04, 0x24, 0x00, 0x20, 0x41});
    fix_length(trunc);
    put(dir, "bad_tlv_truncated", trunc);
    auto smlen = encode(named("submit_sm_ussd")).value();  // sm_length 4
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
        for (const auto& [name, p] : sample_pdus()) {
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
            if (!parse_hex(line, f)) {
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
