#include "smpp/TlvCodec.hpp"

#include <cstring>
#include <string>

#include "smpp/PduCodec.hpp"
#include "smpp/detail/Bytes.hpp"

namespace ussdgw::smpp {

bool read_tlvs(std::span<const std::uint8_t> frame, std::size_t pos, Tlvs& t, TlvProblem& problem) {
    std::size_t count = 0;
    const std::size_t end = frame.size();
    while (pos < end) {
        if (++count > kMaxTlvCount) {
            problem = {status::invoptparstream, "more TLVs than allowed"};
            return false;
        }
        if (end - pos < 4) {
            problem = {status::invoptparstream, "truncated TLV header"};
            return false;
        }
        const std::uint16_t tg = detail::get16(frame.data() + pos);
        const std::uint16_t len = detail::get16(frame.data() + pos + 2);
        pos += 4;
        if (len > end - pos) {
            problem = {status::invoptparstream, "TLV value runs past the end of the PDU"};
            return false;
        }
        const std::uint8_t* v = frame.data() + pos;
        auto need = [&](std::size_t n) {
            if (len == n) return true;
            problem = {status::invparlen, "TLV length invalid for its tag"};
            return false;
        };
        switch (tg) {
            case tag::ussd_service_op:
                if (!need(1)) return false;
                t.ussd_service_op = v[0];
                break;
            case tag::its_session_info:
                if (!need(2)) return false;
                t.its_session_info = std::array<std::uint8_t, 2>{v[0], v[1]};
                break;
            case tag::user_message_reference:
                if (!need(2)) return false;
                t.user_message_reference = detail::get16(v);
                break;
            case tag::message_payload:
                t.message_payload.emplace(reinterpret_cast<const char*>(v), len);
                break;
            case tag::receipted_message_id: {
                if (len < 1 || len > 65) {
                    problem = {status::invparlen, "receipted_message_id length invalid"};
                    return false;
                }
                const char* s = reinterpret_cast<const char*>(v);
                t.receipted_message_id.emplace(s, strnlen(s, len));
                break;
            }
            case tag::message_state:
                if (!need(1)) return false;
                t.message_state = v[0];
                break;
            case tag::network_error_code:
                if (!need(3)) return false;
                t.network_error_code = std::array<std::uint8_t, 3>{v[0], v[1], v[2]};
                break;
            case tag::sar_msg_ref_num:
                if (!need(2)) return false;
                t.sar_msg_ref_num = detail::get16(v);
                break;
            case tag::sar_total_segments:
                if (!need(1)) return false;
                t.sar_total_segments = v[0];
                break;
            case tag::sar_segment_seqnum:
                if (!need(1)) return false;
                t.sar_segment_seqnum = v[0];
                break;
            case tag::sc_interface_version:
                if (!need(1)) return false;
                t.sc_interface_version = v[0];
                break;
            default:
                t.other.push_back(RawTlv{tg, std::vector<std::uint8_t>(v, v + len)});
                break;
        }
        pos += len;
    }
    return true;
}

void put_tlv(std::vector<std::uint8_t>& out, std::uint16_t tg, const void* v, std::size_t n) {
    detail::append16(out, tg);
    detail::append16(out, static_cast<std::uint16_t>(n));
    const auto* p = static_cast<const std::uint8_t*>(v);
    out.insert(out.end(), p, p + n);
}

Status check_tlvs(const Tlvs& t) {
    if (t.message_payload && t.message_payload->size() > 0xFFFF)
        return fail("encode.field_too_long", "message_payload is longer than 65535 octets");
    if (t.receipted_message_id) {
        if (t.receipted_message_id->size() > 64)
            return fail("encode.field_too_long", "receipted_message_id is longer than 64");
        if (t.receipted_message_id->find('\0') != std::string::npos)
            return fail("encode.bad_field", "receipted_message_id contains a NUL octet");
    }
    for (const auto& r : t.other)
        if (r.value.size() > 0xFFFF)
            return fail("encode.field_too_long", "a TLV value is longer than 65535 octets");
    return ok_status();
}

void write_tlvs(const Tlvs& t, std::vector<std::uint8_t>& out) {
    auto u8 = [&](std::uint16_t tg, const std::optional<std::uint8_t>& v) {
        if (v) put_tlv(out, tg, &*v, 1);
    };
    auto u16 = [&](std::uint16_t tg, const std::optional<std::uint16_t>& v) {
        if (!v) return;
        const std::uint8_t b[2] = {static_cast<std::uint8_t>(*v >> 8),
                                   static_cast<std::uint8_t>(*v)};
        put_tlv(out, tg, b, 2);
    };
    u8(tag::ussd_service_op, t.ussd_service_op);
    if (t.its_session_info) put_tlv(out, tag::its_session_info, t.its_session_info->data(), 2);
    u16(tag::user_message_reference, t.user_message_reference);
    if (t.message_payload)
        put_tlv(out, tag::message_payload, t.message_payload->data(), t.message_payload->size());
    if (t.receipted_message_id)  // a C-octet string: the terminator goes on the wire
        put_tlv(out, tag::receipted_message_id, t.receipted_message_id->c_str(),
                t.receipted_message_id->size() + 1);
    u8(tag::message_state, t.message_state);
    if (t.network_error_code)
        put_tlv(out, tag::network_error_code, t.network_error_code->data(), 3);
    u16(tag::sar_msg_ref_num, t.sar_msg_ref_num);
    u8(tag::sar_total_segments, t.sar_total_segments);
    u8(tag::sar_segment_seqnum, t.sar_segment_seqnum);
    u8(tag::sc_interface_version, t.sc_interface_version);
    for (const auto& r : t.other)
        put_tlv(out, r.tag, r.value.data(), r.value.size());
}

}  // namespace ussdgw::smpp
