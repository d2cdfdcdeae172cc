// PduEncoder: encode (see PduCodec.hpp). Every field is checked against its wire limit here
// (libsmpp34 would truncate silently), libsmpp34 packs the mandatory part
// (detail/LibSmpp34.hpp), the real header values and the fields it cannot hold are patched
// in, and TlvCodec appends the TLVs.
#include <array>
#include <cstring>
#include <string>
#include <string_view>

#include "smpp/PduCodec.hpp"
#include "smpp/TlvCodec.hpp"
#include "smpp/detail/Bytes.hpp"
#include "smpp/detail/LibSmpp34.hpp"

namespace ussdgw::smpp {

namespace {

using detail::kScratch;
using detail::lib_pack;
using detail::to_array;

Status check_str(std::string_view s, std::size_t max_chars, const char* field) {
    if (s.size() > max_chars)
        return fail("encode.field_too_long",
                    std::string(field) + " is longer than " + std::to_string(max_chars));
    if (s.find('\0') != std::string_view::npos)
        return fail("encode.bad_field", std::string(field) + " contains a NUL octet");
    return ok_status();
}

#define USSDGW_CHECK(expr)                       \
    do {                                         \
        if (auto st_ = (expr); !st_) return st_; \
    } while (false)

class Encoder {
  public:
    Encoder(const Pdu& p, std::vector<std::uint8_t>& out) : p_(p), out_(out), start_(out.size()) {}

    Status run() {
        Status st = std::visit([this](const auto& b) { return body(b); }, p_.body);
        if (!st) {
            out_.resize(start_);
            return st;
        }
        detail::put32(out_.data() + start_, static_cast<std::uint32_t>(out_.size() - start_));
        return st;
    }

  private:
    void header() {
        std::uint8_t h[kHeaderLength] = {};
        detail::put32(h + 4, p_.command_id());
        detail::put32(h + 8, p_.command_status);
        detail::put32(h + 12, p_.sequence_number);
        out_.insert(out_.end(), h, h + kHeaderLength);
    }
    // Appends libsmpp34's packing, with the real header values in place of the normalised.
    template <typename T>
    Status packed(std::uint32_t canonical_id, T& s) {
        std::string why;
        const int len = lib_pack(canonical_id, s, buf_.data(), buf_.size(), why);
        if (len < static_cast<int>(kHeaderLength))
            return fail("encode.libsmpp34", "libsmpp34 refused the PDU: " + why);
        detail::put32(buf_.data() + 4, p_.command_id());
        detail::put32(buf_.data() + 8, p_.command_status);
        detail::put32(buf_.data() + 12, p_.sequence_number);
        len_ = static_cast<std::size_t>(len);
        return ok_status();
    }
    void flush() { out_.insert(out_.end(), buf_.data(), buf_.data() + len_); }
    // A response with an error status and nothing to say goes without a body.
    bool bare_error(bool body_is_default) const {
        return p_.command_status != status::ok && body_is_default;
    }

    Status body(const GenericNack&) { return bare(); }
    Status body(const Unbind&) { return bare(); }
    Status body(const UnbindResp&) { return bare(); }
    Status body(const EnquireLink&) { return bare(); }
    Status body(const EnquireLinkResp&) { return bare(); }
    Status bare() {
        header();
        return ok_status();
    }

    Status body(const BindRequest& r) {
        USSDGW_CHECK(check_str(r.system_id, 15, "system_id"));
        USSDGW_CHECK(check_str(r.password, 8, "password"));
        USSDGW_CHECK(check_str(r.system_type, 12, "system_type"));
        USSDGW_CHECK(check_str(r.address_range.address, 40, "address_range"));
        bind_transmitter_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.system_id, r.system_id);
        to_array(b.password, r.password);
        to_array(b.system_type, r.system_type);
        to_array(b.address_range, r.address_range.address);
        b.interface_version = SMPP_VERSION;
        USSDGW_CHECK(packed(BIND_TRANSMITTER, b));
        const std::size_t at =
            kHeaderLength + r.system_id.size() + r.password.size() + r.system_type.size() + 3;
        buf_[at] = r.interface_version;
        buf_[at + 1] = r.address_range.ton;
        buf_[at + 2] = r.address_range.npi;
        flush();
        return ok_status();
    }

    Status body(const BindResponse& r) {
        USSDGW_CHECK(check_str(r.system_id, 15, "system_id"));
        if (bare_error(r.system_id.empty() && !r.sc_interface_version)) return bare();
        bind_transmitter_resp_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.system_id, r.system_id);
        USSDGW_CHECK(packed(BIND_TRANSMITTER_RESP, b));
        flush();
        if (r.sc_interface_version)
            put_tlv(out_, tag::sc_interface_version, &*r.sc_interface_version, 1);
        return ok_status();
    }

    Status body(const Outbind& r) {
        USSDGW_CHECK(check_str(r.system_id, 15, "system_id"));
        USSDGW_CHECK(check_str(r.password, 8, "password"));
        outbind_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.system_id, r.system_id);
        to_array(b.password, r.password);
        USSDGW_CHECK(packed(OUTBIND, b));
        flush();
        return ok_status();
    }

    Status body(const SubmitSm& r) { return short_message(r); }
    Status body(const DeliverSm& r) { return short_message(r); }
    Status short_message(const ShortMessage& r) {
        USSDGW_CHECK(check_str(r.service_type, 5, "service_type"));
        USSDGW_CHECK(check_str(r.source.address, 20, "source_addr"));
        USSDGW_CHECK(check_str(r.destination.address, 20, "destination_addr"));
        USSDGW_CHECK(check_str(r.schedule_delivery_time, 16, "schedule_delivery_time"));
        USSDGW_CHECK(check_str(r.validity_period, 16, "validity_period"));
        if (r.short_message.size() > 254)
            return fail("encode.field_too_long", "short_message is longer than 254 octets");
        USSDGW_CHECK(check_tlvs(r.tlvs));
        submit_sm_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.service_type, r.service_type);
        to_array(b.source_addr, r.source.address);
        to_array(b.destination_addr, r.destination.address);
        b.esm_class = r.esm_class;
        b.protocol_id = r.protocol_id;
        b.priority_flag = r.priority_flag;
        to_array(b.schedule_delivery_time, r.schedule_delivery_time);
        to_array(b.validity_period, r.validity_period);
        b.registered_delivery = r.registered_delivery;
        b.replace_if_present_flag = r.replace_if_present_flag;
        b.data_coding = r.data_coding;
        b.sm_default_msg_id = r.sm_default_msg_id;
        b.sm_length = 0;  // short_message is appended below (libsmpp34 refuses 254 octets)
        USSDGW_CHECK(packed(SUBMIT_SM, b));
        const std::size_t src_at = kHeaderLength + r.service_type.size() + 1;
        const std::size_t dst_at = src_at + 2 + r.source.address.size() + 1;
        buf_[src_at] = r.source.ton;
        buf_[src_at + 1] = r.source.npi;
        buf_[dst_at] = r.destination.ton;
        buf_[dst_at + 1] = r.destination.npi;
        buf_[len_ - 1] = static_cast<std::uint8_t>(r.short_message.size());
        flush();
        out_.insert(out_.end(), r.short_message.begin(), r.short_message.end());
        write_tlvs(r.tlvs, out_);
        return ok_status();
    }

    Status body(const SubmitSmResp& r) { return message_id_response(r.message_id); }
    Status body(const DeliverSmResp& r) { return message_id_response(r.message_id); }
    Status message_id_response(const std::string& message_id) {
        USSDGW_CHECK(check_str(message_id, 64, "message_id"));
        if (bare_error(message_id.empty())) return bare();
        submit_sm_resp_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.message_id, message_id);
        USSDGW_CHECK(packed(SUBMIT_SM_RESP, b));
        flush();
        return ok_status();
    }

    Status body(const DataSm& r) {
        USSDGW_CHECK(check_str(r.service_type, 5, "service_type"));
        USSDGW_CHECK(check_str(r.source.address, 64, "source_addr"));
        USSDGW_CHECK(check_str(r.destination.address, 64, "destination_addr"));
        USSDGW_CHECK(check_tlvs(r.tlvs));
        const bool long_source = r.source.address.size() > 20;  // libsmpp34 holds 20
        data_sm_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.service_type, r.service_type);
        if (!long_source) to_array(b.source_addr, r.source.address);
        to_array(b.destination_addr, r.destination.address);
        b.esm_class = r.esm_class;
        b.registered_delivery = r.registered_delivery;
        b.data_coding = r.data_coding;
        USSDGW_CHECK(packed(DATA_SM, b));
        const std::size_t src_at = kHeaderLength + r.service_type.size() + 1;
        const std::size_t packed_src = long_source ? 0 : r.source.address.size();
        const std::size_t dst_at = src_at + 2 + packed_src + 1;
        buf_[src_at] = r.source.ton;
        buf_[src_at + 1] = r.source.npi;
        buf_[dst_at] = r.destination.ton;
        buf_[dst_at + 1] = r.destination.npi;
        if (long_source) {
            out_.insert(out_.end(), buf_.data(), buf_.data() + src_at + 2);
            out_.insert(out_.end(), r.source.address.begin(), r.source.address.end());
            out_.insert(out_.end(), buf_.data() + src_at + 2, buf_.data() + len_);
        } else {
            flush();
        }
        write_tlvs(r.tlvs, out_);
        return ok_status();
    }

    Status body(const DataSmResp& r) {
        USSDGW_CHECK(check_str(r.message_id, 64, "message_id"));
        USSDGW_CHECK(check_tlvs(r.tlvs));
        if (bare_error(r.message_id.empty() && r.tlvs == Tlvs{})) return bare();
        data_sm_resp_t b;
        std::memset(&b, 0, sizeof(b));
        to_array(b.message_id, r.message_id);
        USSDGW_CHECK(packed(DATA_SM_RESP, b));
        flush();
        write_tlvs(r.tlvs, out_);
        return ok_status();
    }

    const Pdu& p_;
    std::vector<std::uint8_t>& out_;
    std::size_t start_;
    std::array<std::uint8_t, kScratch> buf_;
    std::size_t len_ = 0;
};

#undef USSDGW_CHECK

}  // namespace

Status encode(const Pdu& pdu, std::vector<std::uint8_t>& out) {
    return Encoder(pdu, out).run();
}

Result<std::vector<std::uint8_t>> encode(const Pdu& pdu) {
    std::vector<std::uint8_t> out;
    if (auto st = encode(pdu, out); !st) return Failure{st.error()};
    return out;
}

}  // namespace ussdgw::smpp
