// PduCodec: our own frame checks around libsmpp34.
//
// libsmpp34 (Debian 1.14.x) is used to (un)pack the mandatory part of every PDU that has a
// body. Its sharp edges, and what this file does about each:
// - Not thread-safe: every call writes the global smpp34_strerror buffer. All calls are made
//   under one mutex (`g_lib`).
// - It reads C-octet strings with strlen() past the end of the buffer, and its error log
//   (2 KiB, one line per field) overflows when a PDU carries a few dozen TLVs. So every
//   frame is walked here first (lengths, terminators, sm_length, the TLV walk with a count
//   cap), and libsmpp34 is only ever handed the mandatory part of a checked frame: TLVs are
//   decoded and encoded here (that also lifts its 1024-octet TLV value limit, so a 64 KiB
//   message_payload works).
// - It refuses values real peers send: interface_version other than 0x34, command_status
//   codes it does not list (vendor codes), sequence_number 0, TON/NPI values it does not
//   list, schedule/validity times in deliver_sm, a message_id in deliver_sm_resp, a data_sm
//   source_addr over 20 characters. libsmpp34 is handed a copy with those fields
//   normalised (deliver_sm as submit_sm, deliver_sm_resp as submit_sm_resp); their real
//   values are taken from the frame. Encoding does the reverse patch.
// - It truncates too-long strings silently when packing and refuses a 254-octet
//   short_message: lengths are checked here, and short_message is appended here.
// - TLV lists it allocates must be freed: a guard destroys any list it left in a struct.
#include "smpp/PduCodec.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>
#include <type_traits>

extern "C" {
// clang-format off
#include <stdint.h>
#include <stdio.h>
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
// clang-format on
}

namespace ussdgw::smpp {

namespace {

std::mutex g_lib;  // guards every libsmpp34 call (global error buffer)

// The largest mandatory part (header included) handed to or taken from libsmpp34:
// submit_sm is 16 + 6 + 2 + 21 + 2 + 21 + 3 + 17 + 17 + 5 + 254 = 364 octets.
constexpr std::size_t kScratch = 512;

std::uint32_t get32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}
std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
void put32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
void append16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

constexpr std::uint32_t id(CommandId c) {
    return static_cast<std::uint32_t>(c);
}

// ---------------------------------------------------------------------------------------------
// libsmpp34 wrappers

template <typename T>
concept HasTlvList = requires(T t) {
    t.tlv;
};

// Frees a TLV list libsmpp34 may have built into a struct (on success and on failure).
template <typename T>
struct TlvListGuard {
    T& s;
    ~TlvListGuard() {
        if constexpr (HasTlvList<T>) {
            if (s.tlv != nullptr) destroy_tlv(s.tlv);
            s.tlv = nullptr;
        }
    }
};

std::string lib_error() {
    return std::string(smpp34_strerror, strnlen(smpp34_strerror, sizeof(smpp34_strerror)));
}

// Unpacks a checked, normalised mandatory part. `out` is zeroed first.
template <typename T>
bool lib_unpack(std::uint32_t canonical_id, T& out, const std::uint8_t* buf, std::size_t len,
                std::string& why) {
    std::memset(&out, 0, sizeof(out));
    std::lock_guard lock(g_lib);
    int rc = smpp34_unpack(canonical_id, &out, buf, static_cast<int>(len));
    { TlvListGuard<T> guard{out}; }
    if (rc != 0) {
        why = lib_error();
        return false;
    }
    return true;
}

// Packs `in` (header normalised by the caller) into buf; returns the length or -1.
template <typename T>
int lib_pack(std::uint32_t canonical_id, T& in, std::uint8_t* buf, std::size_t cap,
             std::string& why) {
    in.command_length = 0;
    in.command_id = canonical_id;
    in.command_status = 0;
    in.sequence_number = 1;
    int len = 0;
    std::lock_guard lock(g_lib);
    int rc = smpp34_pack(canonical_id, buf, static_cast<int>(cap), &len, &in);
    { TlvListGuard<T> guard{in}; }
    if (rc != 0) {
        why = lib_error();
        return -1;
    }
    return len;
}

template <std::size_t N>
std::string from_array(const std::uint8_t (&a)[N]) {
    const char* p = reinterpret_cast<const char*>(a);
    return std::string(p, strnlen(p, N));
}
template <std::size_t N>
void to_array(std::uint8_t (&a)[N], std::string_view s) {
    // Lengths are checked by the caller (s.size() < N, no NUL inside).
    std::memcpy(a, s.data(), std::min(s.size(), N - 1));
    a[std::min(s.size(), N - 1)] = 0;
}

// ---------------------------------------------------------------------------------------------
// TLVs (decoded and encoded here; see the header comment)

struct TlvProblem {
    std::uint32_t status = status::invoptparstream;
    const char* reason = "";
};

// Walks TLVs from `pos` to the end of `frame` into `t`. Returns false with `problem` set.
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
        const std::uint16_t tg = get16(frame.data() + pos);
        const std::uint16_t len = get16(frame.data() + pos + 2);
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
                t.user_message_reference = get16(v);
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
                t.sar_msg_ref_num = get16(v);
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
    append16(out, tg);
    append16(out, static_cast<std::uint16_t>(n));
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

// ---------------------------------------------------------------------------------------------
// Decoding

struct Span {
    std::size_t off = 0;  // offset in the frame of the first character
    std::size_t len = 0;  // characters, terminator excluded
};

class Decoder {
  public:
    explicit Decoder(std::span<const std::uint8_t> f)
        : f_(f),
          cmd_(get32(f.data() + 4)),
          status_(get32(f.data() + 8)),
          seq_(get32(f.data() + 12)) {}

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
        put32(scratch_.data(), static_cast<std::uint32_t>(end));
        put32(scratch_.data() + 4, canonical_id);
        put32(scratch_.data() + 8, 0);
        put32(scratch_.data() + 12, 1);
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
        put32(scratch_.data(), static_cast<std::uint32_t>(len));
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

// ---------------------------------------------------------------------------------------------
// Encoding

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
        put32(out_.data() + start_, static_cast<std::uint32_t>(out_.size() - start_));
        return st;
    }

  private:
    void header() {
        std::uint8_t h[kHeaderLength] = {};
        put32(h + 4, p_.command_id());
        put32(h + 8, p_.command_status);
        put32(h + 12, p_.sequence_number);
        out_.insert(out_.end(), h, h + kHeaderLength);
    }
    // Appends libsmpp34's packing, with the real header values in place of the normalised.
    template <typename T>
    Status packed(std::uint32_t canonical_id, T& s) {
        std::string why;
        const int len = lib_pack(canonical_id, s, buf_.data(), buf_.size(), why);
        if (len < static_cast<int>(kHeaderLength))
            return fail("encode.libsmpp34", "libsmpp34 refused the PDU: " + why);
        put32(buf_.data() + 4, p_.command_id());
        put32(buf_.data() + 8, p_.command_status);
        put32(buf_.data() + 12, p_.sequence_number);
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

FrameLength frame_length(std::span<const std::uint8_t> stream, std::size_t max_length) {
    if (stream.size() < 4) return {FrameLength::Kind::need_more, 0};
    const std::size_t len = get32(stream.data());
    if (len < kHeaderLength || len > max_length) return {FrameLength::Kind::unframeable, len};
    if (stream.size() < len) return {FrameLength::Kind::need_more, len};
    return {FrameLength::Kind::frame, len};
}

Result<Pdu, DecodeError> decode(std::span<const std::uint8_t> frame) {
    if (frame.size() < kHeaderLength) {
        DecodeError e;
        e.command_id = frame.size() >= 8 ? get32(frame.data() + 4) : 0;
        e.is_response = is_response(e.command_id);
        e.reason = "frame shorter than the 16-octet header";
        return Unexpected<DecodeError>{std::move(e)};
    }
    if (get32(frame.data()) != frame.size()) {
        DecodeError e;
        e.command_id = get32(frame.data() + 4);
        e.sequence_number = get32(frame.data() + 12);
        e.is_response = is_response(e.command_id);
        e.reason = "command_length differs from the frame size";
        return Unexpected<DecodeError>{std::move(e)};
    }
    return Decoder(frame).run();
}

Status encode(const Pdu& pdu, std::vector<std::uint8_t>& out) {
    return Encoder(pdu, out).run();
}

Result<std::vector<std::uint8_t>> encode(const Pdu& pdu) {
    std::vector<std::uint8_t> out;
    if (auto st = encode(pdu, out); !st) return Failure{st.error()};
    return out;
}

}  // namespace ussdgw::smpp
