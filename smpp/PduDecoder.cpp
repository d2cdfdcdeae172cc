// PduDecoder: frame_length and decode (see PduCodec.hpp). Each PDU's frame is walked here
// first (lengths, C-string terminators, sm_length, the TLV walk of TlvCodec); only then is a
// normalised copy of its mandatory part handed to libsmpp34 (detail/LibSmpp34.hpp tells
// why), and the fields libsmpp34 would refuse are taken from the frame itself.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string>

#include "smpp/PduCodec.hpp"
#include "smpp/TlvCodec.hpp"
#include "smpp/detail/Bytes.hpp"
#include "smpp/detail/LibSmpp34.hpp"

namespace ussdgw::smpp {

namespace {

using detail::from_array;
using detail::kScratch;
using detail::lib_unpack;

constexpr std::uint32_t id(CommandId c) {
    return static_cast<std::uint32_t>(c);
}

struct Span {
    std::size_t off = 0;  // offset in the frame of the first character
    std::size_t len = 0;  // characters, terminator excluded
};

class Decoder {
  public:
    explicit Decoder(std::span<const std::uint8_t> f)
        : f_(f),
          cmd_(detail::get32(f.data() + 4)),
          status_(detail::get32(f.data() + 8)),
          seq_(detail::get32(f.data() + 12)) {}

    Result<Pdu, DecodeError> run();

  private:
    enum class Str { ok, truncated, too_long };

    Unexpected<DecodeError> nack(std::uint32_t st, std::string why) const {
        return Unexpected<DecodeError>{
            DecodeError{cmd_, seq_, st, true, is_response(cmd_), std::move(why)}};
    }
    // Answer with the command's own response (requests that have one), else generic_nack.
    Unexpected<DecodeError> own(std::uint32_t st, std::string why) const {
        const bool has_resp = !is_response(cmd_) && cmd_ != id(CommandId::outbind);
        return Unexpected<DecodeError>{
            DecodeError{cmd_, seq_, st, !has_resp, is_response(cmd_), std::move(why)}};
    }
    Unexpected<DecodeError> bad_string(Str s, std::uint32_t too_long_status,
                                       const char* field) const {
        if (s == Str::truncated)
            return nack(status::invcmdlen, std::string(field) + " is not terminated in the PDU");
        return own(too_long_status, std::string(field) + " is longer than allowed");
    }
    Unexpected<DecodeError> truncated(const char* what) const {
        return nack(status::invcmdlen, std::string("PDU ends before ") + what);
    }
    Unexpected<DecodeError> lib_failed(const std::string& why) const {
        return own(status::syserr, "libsmpp34 refused a checked PDU: " + why);
    }

    Str cstr(std::size_t max_with_nul, Span& out) {
        const std::size_t remaining = f_.size() - pos_;
        const std::size_t limit = std::min(remaining, max_with_nul);
        const void* nul = std::memchr(f_.data() + pos_, 0, limit);
        if (nul == nullptr) return remaining <= max_with_nul ? Str::truncated : Str::too_long;
        const std::size_t len =
            static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - (f_.data() + pos_));
        out = {pos_, len};
        pos_ += len + 1;
        return Str::ok;
    }
    bool u8(std::uint8_t& v) {
        if (pos_ >= f_.size()) return false;
        v = f_[pos_++];
        return true;
    }
    std::string text(const Span& s) const {
        return std::string(reinterpret_cast<const char*>(f_.data() + s.off), s.len);
    }
    bool body_empty() const { return f_.size() == kHeaderLength; }

    // Copies the header and mandatory part [0, end) into scratch_, normalising the header.
    void copy_prefix(std::size_t end, std::uint32_t canonical_id) {
        // The field limits checked above bound every mandatory part to 364 octets.
        if (end > scratch_.size()) std::abort();
        std::memcpy(scratch_.data(), f_.data(), end);
        detail::put32(scratch_.data(), static_cast<std::uint32_t>(end));
        detail::put32(scratch_.data() + 4, canonical_id);
        detail::put32(scratch_.data() + 8, 0);
        detail::put32(scratch_.data() + 12, 1);
    }

    Result<Pdu, DecodeError> bind_request(BindType type);
    Result<Pdu, DecodeError> bind_response(BindType type);
    Result<Pdu, DecodeError> outbind();
    template <typename Body>
    Result<Pdu, DecodeError> short_message();
    template <typename Body>
    Result<Pdu, DecodeError> message_id_response();
    Result<Pdu, DecodeError> data_sm();
    Result<Pdu, DecodeError> data_sm_resp();
    Result<Pdu, DecodeError> header_only(PduBody body);

    Pdu make(PduBody body) const {
        Pdu p;
        p.command_status = status_;
        p.sequence_number = seq_;
        p.body = std::move(body);
        return p;
    }

    std::span<const std::uint8_t> f_;
    std::uint32_t cmd_, status_, seq_;
    std::size_t pos_ = kHeaderLength;
    std::array<std::uint8_t, kScratch> scratch_;
};

Result<Pdu, DecodeError> Decoder::run() {
    switch (static_cast<CommandId>(cmd_)) {
        case CommandId::bind_receiver:
            return bind_request(BindType::receiver);
        case CommandId::bind_transmitter:
            return bind_request(BindType::transmitter);
        case CommandId::bind_transceiver:
            return bind_request(BindType::transceiver);
        case CommandId::bind_receiver_resp:
            return bind_response(BindType::receiver);
        case CommandId::bind_transmitter_resp:
            return bind_response(BindType::transmitter);
        case CommandId::bind_transceiver_resp:
            return bind_response(BindType::transceiver);
        case CommandId::outbind:
            return outbind();
        case CommandId::unbind:
            return header_only(Unbind{});
        case CommandId::unbind_resp:
            return header_only(UnbindResp{});
        case CommandId::enquire_link:
            return header_only(EnquireLink{});
        case CommandId::enquire_link_resp:
            return header_only(EnquireLinkResp{});
        case CommandId::generic_nack:
            return header_only(GenericNack{});
        case CommandId::submit_sm:
            return short_message<SubmitSm>();
        case CommandId::deliver_sm:
            return short_message<DeliverSm>();
        case CommandId::submit_sm_resp:
            return message_id_response<SubmitSmResp>();
        case CommandId::deliver_sm_resp:
            return message_id_response<DeliverSmResp>();
        case CommandId::data_sm:
            return data_sm();
        case CommandId::data_sm_resp:
            return data_sm_resp();
    }
    return nack(status::invcmdid, "unknown command_id");
}

Result<Pdu, DecodeError> Decoder::header_only(PduBody body) {
    if (!body_empty()) return nack(status::invcmdlen, "this PDU has no body");
    return make(std::move(body));
}

Result<Pdu, DecodeError> Decoder::bind_request(BindType type) {
    Span sys, pw, st, range;
    std::uint8_t iface = 0, ton = 0, npi = 0;
    if (auto s = cstr(16, sys); s != Str::ok) return bad_string(s, status::invsysid, "system_id");
    if (auto s = cstr(9, pw); s != Str::ok) return bad_string(s, status::invpaswd, "password");
    if (auto s = cstr(13, st); s != Str::ok) return bad_string(s, status::invsystyp, "system_type");
    const std::size_t iface_at = pos_;
    if (!u8(iface) || !u8(ton) || !u8(npi)) return truncated("interface_version/addr_ton/npi");
    if (auto s = cstr(41, range); s != Str::ok)
        return bad_string(s, status::bindfail, "address_range");
    if (pos_ != f_.size()) return nack(status::invcmdlen, "octets after the bind body");

    copy_prefix(pos_, BIND_TRANSMITTER);
    scratch_[iface_at] = SMPP_VERSION;  // libsmpp34 accepts only 0x34
    scratch_[iface_at + 1] = 0;         // and only the TON/NPI values it lists
    scratch_[iface_at + 2] = 0;
    bind_transmitter_t b;
    std::string why;
    if (!lib_unpack(BIND_TRANSMITTER, b, scratch_.data(), pos_, why)) return lib_failed(why);

    BindRequest r;
    r.type = type;
    r.system_id = from_array(b.system_id);
    r.password = from_array(b.password);
    r.system_type = from_array(b.system_type);
    r.interface_version = iface;
    r.address_range.ton = ton;
    r.address_range.npi = npi;
    r.address_range.address = from_array(b.address_range);
    return make(std::move(r));
}

Result<Pdu, DecodeError> Decoder::bind_response(BindType type) {
    BindResponse r;
    r.type = type;
    if (body_empty()) return make(std::move(r));  // e.g. an error status without a body
    Span sys;
    if (auto s = cstr(16, sys); s != Str::ok) return bad_string(s, status::invsysid, "system_id");
    const std::size_t end = pos_;
    Tlvs t;
    TlvProblem problem;
    if (!read_tlvs(f_, end, t, problem)) return own(problem.status, problem.reason);

    copy_prefix(end, BIND_TRANSMITTER_RESP);
    bind_transmitter_resp_t b;
    std::string why;
    if (!lib_unpack(BIND_TRANSMITTER_RESP, b, scratch_.data(), end, why)) return lib_failed(why);
    r.system_id = from_array(b.system_id);
    r.sc_interface_version = t.sc_interface_version;
    return make(std::move(r));
}

Result<Pdu, DecodeError> Decoder::outbind() {
    Span sys, pw;
    if (auto s = cstr(16, sys); s != Str::ok) return bad_string(s, status::invsysid, "system_id");
    if (auto s = cstr(9, pw); s != Str::ok) return bad_string(s, status::invpaswd, "password");
    if (pos_ != f_.size()) return nack(status::invcmdlen, "octets after the outbind body");
    copy_prefix(pos_, OUTBIND);
    outbind_t b;
    std::string why;
    if (!lib_unpack(OUTBIND, b, scratch_.data(), pos_, why)) return lib_failed(why);
    Outbind r;
    r.system_id = from_array(b.system_id);
    r.password = from_array(b.password);
    return make(std::move(r));
}

template <typename Body>
Result<Pdu, DecodeError> Decoder::short_message() {
    Span service, src, dst, sched, valid;
    std::uint8_t src_ton = 0, src_npi = 0, dst_ton = 0, dst_npi = 0, skip = 0, sm_length = 0;
    if (auto s = cstr(6, service); s != Str::ok)
        return bad_string(s, status::invsertyp, "service_type");
    const std::size_t src_ton_at = pos_;
    if (!u8(src_ton) || !u8(src_npi)) return truncated("source_addr_ton/npi");
    if (auto s = cstr(21, src); s != Str::ok)
        return bad_string(s, status::invsrcadr, "source_addr");
    const std::size_t dst_ton_at = pos_;
    if (!u8(dst_ton) || !u8(dst_npi)) return truncated("dest_addr_ton/npi");
    if (auto s = cstr(21, dst); s != Str::ok)
        return bad_string(s, status::invdstadr, "destination_addr");
    if (!u8(skip) || !u8(skip) || !u8(skip)) return truncated("esm_class/protocol_id/priority");
    if (auto s = cstr(17, sched); s != Str::ok)
        return bad_string(s, status::invsched, "schedule_delivery_time");
    if (auto s = cstr(17, valid); s != Str::ok)
        return bad_string(s, status::invexpiry, "validity_period");
    for (int i = 0; i < 4; ++i)
        if (!u8(skip)) return truncated("registered_delivery..sm_default_msg_id");
    if (!u8(sm_length)) return truncated("sm_length");
    if (sm_length > 254) return own(status::invmsglen, "sm_length above 254");
    if (sm_length > f_.size() - pos_) return own(status::invmsglen, "sm_length past the PDU end");
    const std::size_t end = pos_ + sm_length;

    Body r;
    TlvProblem problem;
    if (!read_tlvs(f_, end, r.tlvs, problem)) return own(problem.status, problem.reason);

    // deliver_sm goes to libsmpp34 as submit_sm (same layout; it refuses times in
    // deliver_sm); the TON/NPI octets it may refuse are zeroed in the copy.
    copy_prefix(end, SUBMIT_SM);
    scratch_[src_ton_at] = scratch_[src_ton_at + 1] = 0;
    scratch_[dst_ton_at] = scratch_[dst_ton_at + 1] = 0;
    submit_sm_t b;
    std::string why;
    if (!lib_unpack(SUBMIT_SM, b, scratch_.data(), end, why)) return lib_failed(why);

    r.service_type = from_array(b.service_type);
    r.source = Address{src_ton, src_npi, from_array(b.source_addr)};
    r.destination = Address{dst_ton, dst_npi, from_array(b.destination_addr)};
    r.esm_class = b.esm_class;
    r.protocol_id = b.protocol_id;
    r.priority_flag = b.priority_flag;
    r.schedule_delivery_time = from_array(b.schedule_delivery_time);
    r.validity_period = from_array(b.validity_period);
    r.registered_delivery = b.registered_delivery;
    r.replace_if_present_flag = b.replace_if_present_flag;
    r.data_coding = b.data_coding;
    r.sm_default_msg_id = b.sm_default_msg_id;
    r.short_message.assign(reinterpret_cast<const char*>(b.short_message), b.sm_length);
    return make(std::move(r));
}

template <typename Body>
Result<Pdu, DecodeError> Decoder::message_id_response() {
    Body r;
    if (body_empty()) return make(std::move(r));  // error status: no body on the wire
    Span mid;
    if (auto s = cstr(65, mid); s != Str::ok) return bad_string(s, status::invmsgid, "message_id");
    const std::size_t end = pos_;
    if (end != f_.size()) {  // optional parameters some peers add: checked, then ignored
        Tlvs ignored;
        TlvProblem problem;
        if (!read_tlvs(f_, end, ignored, problem)) return own(problem.status, problem.reason);
    }
    // deliver_sm_resp goes as submit_sm_resp (libsmpp34 refuses a message_id in it).
    copy_prefix(end, SUBMIT_SM_RESP);
    submit_sm_resp_t b;
    std::string why;
    if (!lib_unpack(SUBMIT_SM_RESP, b, scratch_.data(), end, why)) return lib_failed(why);
    r.message_id = from_array(b.message_id);
    return make(std::move(r));
}

Result<Pdu, DecodeError> Decoder::data_sm() {
    Span service, src, dst;
    std::uint8_t src_ton = 0, src_npi = 0, dst_ton = 0, dst_npi = 0;
    DataSm r;
    if (auto s = cstr(6, service); s != Str::ok)
        return bad_string(s, status::invsertyp, "service_type");
    const std::size_t src_ton_at = pos_;
    if (!u8(src_ton) || !u8(src_npi)) return truncated("source_addr_ton/npi");
    if (auto s = cstr(65, src); s != Str::ok)
        return bad_string(s, status::invsrcadr, "source_addr");
    const std::size_t dst_ton_at = pos_;
    if (!u8(dst_ton) || !u8(dst_npi)) return truncated("dest_addr_ton/npi");
    if (auto s = cstr(65, dst); s != Str::ok)
        return bad_string(s, status::invdstadr, "destination_addr");
    if (!u8(r.esm_class) || !u8(r.registered_delivery) || !u8(r.data_coding))
        return truncated("esm_class/registered_delivery/data_coding");
    const std::size_t end = pos_;
    TlvProblem problem;
    if (!read_tlvs(f_, end, r.tlvs, problem)) return own(problem.status, problem.reason);

    copy_prefix(end, DATA_SM);
    scratch_[src_ton_at] = scratch_[src_ton_at + 1] = 0;
    scratch_[dst_ton_at] = scratch_[dst_ton_at + 1] = 0;
    std::size_t len = end;
    if (src.len > 20) {  // libsmpp34 holds 20 characters: hand it an empty source_addr
        std::memmove(scratch_.data() + src.off, scratch_.data() + src.off + src.len,
                     end - src.off - src.len);
        len -= src.len;
        detail::put32(scratch_.data(), static_cast<std::uint32_t>(len));
    }
    data_sm_t b;
    std::string why;
    if (!lib_unpack(DATA_SM, b, scratch_.data(), len, why)) return lib_failed(why);
    r.service_type = from_array(b.service_type);
    r.source = Address{src_ton, src_npi, src.len > 20 ? text(src) : from_array(b.source_addr)};
    r.destination = Address{dst_ton, dst_npi, from_array(b.destination_addr)};
    r.esm_class = b.esm_class;
    r.registered_delivery = b.registered_delivery;
    r.data_coding = b.data_coding;
    return make(std::move(r));
}

Result<Pdu, DecodeError> Decoder::data_sm_resp() {
    DataSmResp r;
    if (body_empty()) return make(std::move(r));
    Span mid;
    if (auto s = cstr(65, mid); s != Str::ok) return bad_string(s, status::invmsgid, "message_id");
    const std::size_t end = pos_;
    TlvProblem problem;
    if (!read_tlvs(f_, end, r.tlvs, problem)) return own(problem.status, problem.reason);
    copy_prefix(end, DATA_SM_RESP);
    data_sm_resp_t b;
    std::string why;
    if (!lib_unpack(DATA_SM_RESP, b, scratch_.data(), end, why)) return lib_failed(why);
    r.message_id = from_array(b.message_id);
    return make(std::move(r));
}

}  // namespace

FrameLength frame_length(std::span<const std::uint8_t> stream, std::size_t max_length) {
    if (stream.size() < 4) return {FrameLength::Kind::need_more, 0};
    const std::size_t len = detail::get32(stream.data());
    if (len < kHeaderLength || len > max_length) return {FrameLength::Kind::unframeable, len};
    if (stream.size() < len) return {FrameLength::Kind::need_more, len};
    return {FrameLength::Kind::frame, len};
}

Result<Pdu, DecodeError> decode(std::span<const std::uint8_t> frame) {
    if (frame.size() < kHeaderLength) {
        DecodeError e;
        e.command_id = frame.size() >= 8 ? detail::get32(frame.data() + 4) : 0;
        e.is_response = is_response(e.command_id);
        e.reason = "frame shorter than the 16-octet header";
        return Unexpected<DecodeError>{std::move(e)};
    }
    if (detail::get32(frame.data()) != frame.size()) {
        DecodeError e;
        e.command_id = detail::get32(frame.data() + 4);
        e.sequence_number = detail::get32(frame.data() + 12);
        e.is_response = is_response(e.command_id);
        e.reason = "command_length differs from the frame size";
        return Unexpected<DecodeError>{std::move(e)};
    }
    return Decoder(frame).run();
}

}  // namespace ussdgw::smpp
