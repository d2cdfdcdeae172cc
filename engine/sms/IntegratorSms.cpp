#include "engine/sms/IntegratorSms.hpp"

#include <fmt/format.h>

#include <ctime>

#include "engine/base/GsmText.hpp"
#include "engine/sms/SmsSender.hpp"
#include "smpp/SmppText.hpp"

namespace ussdgw::sms {

namespace {

constexpr std::size_t kMaxOctets = 255 * 134;  // at most 255 concatenated UCS2 parts

// Alphabets whose short_message holds one character per octet (160 fit one SMS).
bool septet_like(std::uint8_t dc) {
    return dc == 0x00 || dc == 0x01 || dc == 0x0F || (dc & 0xF4) == 0xF0;
}

Unexpected<SmsRefusal> refuse(std::uint32_t status, const char* reason) {
    return Unexpected<SmsRefusal>{SmsRefusal{status, reason}};
}

// Body layout: version byte 1, then the fields below in order; strings as a 4-byte length
// and their octets, optionals as a presence byte and the value.
struct Writer {
    std::string out;
    void u8(std::uint8_t v) { out.push_back(static_cast<char>(v)); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v >> 8));
        u8(static_cast<std::uint8_t>(v));
    }
    void str(std::string_view s) {
        auto n = static_cast<std::uint32_t>(s.size());
        for (int shift = 24; shift >= 0; shift -= 8)
            u8(static_cast<std::uint8_t>(n >> shift));
        out.append(s);
    }
    void addr(const smpp::Address& a) {
        u8(a.ton);
        u8(a.npi);
        str(a.address);
    }
};

struct Reader {
    std::string_view in;
    bool bad = false;
    std::uint8_t u8() {
        if (in.empty()) {
            bad = true;
            return 0;
        }
        auto v = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        return v;
    }
    std::uint16_t u16() {
        std::uint16_t hi = u8();
        return static_cast<std::uint16_t>(hi << 8 | u8());
    }
    std::string str() {
        std::uint32_t n = 0;
        for (int i = 0; i < 4; ++i)
            n = n << 8 | u8();
        if (bad || n > in.size()) {
            bad = true;
            return {};
        }
        std::string s(in.substr(0, n));
        in.remove_prefix(n);
        return s;
    }
    smpp::Address addr() {
        smpp::Address a;
        a.ton = u8();
        a.npi = u8();
        a.address = str();
        return a;
    }
};

std::string yymmddhhmm(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:02}{:02}{:02}{:02}{:02}", tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min);
}

}  // namespace

Result<IntegratorSms, SmsRefusal> read_integrator_sms(const smpp::Pdu& request) {
    // submit_sm read in place, data_sm in the same shape (no short_message: a payload TLV).
    smpp::ShortMessage buffer;
    const smpp::ShortMessage* m = std::holds_alternative<smpp::DeliverSm>(request.body)
                                      ? nullptr
                                      : smpp::short_message_of(request, buffer);
    if (!m) return refuse(smpp::status::invcmdid, "not_submit_sm");
    if (!m->schedule_delivery_time.empty())
        return refuse(smpp::status::invsched, "scheduled_delivery");
    IntegratorSms sms;
    sms.service_type = m->service_type;
    sms.source = m->source;
    sms.destination = m->destination;
    sms.esm_class = m->esm_class;
    sms.protocol_id = m->protocol_id;
    sms.priority_flag = m->priority_flag;
    sms.validity_period = m->validity_period;
    sms.registered_delivery = m->registered_delivery;
    sms.data_coding = m->data_coding;
    sms.octets = m->short_message;
    const smpp::Tlvs& tlvs = m->tlvs;
    // A receipt or an acknowledgement (esm_class bits 5..2) is not an SMS to relay.
    if ((sms.esm_class >> 2) & 0x0F) return refuse(smpp::status::invesmclass, "not_a_message");
    if (tlvs.message_payload) {
        if (!sms.octets.empty())
            return refuse(smpp::status::invmsglen, "short_message_and_payload");
        sms.octets = *tlvs.message_payload;
    }
    sms.sar_msg_ref_num = tlvs.sar_msg_ref_num;
    sms.sar_total_segments = tlvs.sar_total_segments;
    sms.sar_segment_seqnum = tlvs.sar_segment_seqnum;
    if (!storage::Msisdn::parse(sms.destination.address))
        return refuse(smpp::status::invdstadr, "destination_not_msisdn");
    if (sms.octets.empty()) return refuse(smpp::status::invmsglen, "empty");
    if (sms.octets.size() > kMaxOctets) return refuse(smpp::status::invmsglen, "too_long");
    bool single = (sms.esm_class & 0x40) != 0 ||
                  sms.octets.size() <= (septet_like(sms.data_coding) ? 160u : 140u);
    if (!single && !smpp::decode_text(sms.data_coding, sms.octets))
        return refuse(smpp::status::invmsglen, "long_text_not_splittable");
    return sms;
}

std::string encode_body(const IntegratorSms& s) {
    Writer w;
    w.u8(1);
    w.str(s.service_type);
    w.addr(s.source);
    w.addr(s.destination);
    w.u8(s.esm_class);
    w.u8(s.protocol_id);
    w.u8(s.priority_flag);
    w.str(s.validity_period);
    w.u8(s.registered_delivery);
    w.u8(s.data_coding);
    w.str(s.octets);
    w.u8(s.sar_msg_ref_num ? 1 : 0);
    w.u16(s.sar_msg_ref_num.value_or(0));
    w.u8(s.sar_total_segments ? 1 : 0);
    w.u8(s.sar_total_segments.value_or(0));
    w.u8(s.sar_segment_seqnum ? 1 : 0);
    w.u8(s.sar_segment_seqnum.value_or(0));
    return std::move(w.out);
}

Result<IntegratorSms> decode_body(std::string_view body) {
    Reader r{body};
    if (r.u8() != 1) return fail("sms.body", "not an integrator SMS body (version)");
    IntegratorSms s;
    s.service_type = r.str();
    s.source = r.addr();
    s.destination = r.addr();
    s.esm_class = r.u8();
    s.protocol_id = r.u8();
    s.priority_flag = r.u8();
    s.validity_period = r.str();
    s.registered_delivery = r.u8();
    s.data_coding = r.u8();
    s.octets = r.str();
    bool has = r.u8() != 0;
    std::uint16_t ref = r.u16();
    if (has) s.sar_msg_ref_num = ref;
    has = r.u8() != 0;
    std::uint8_t total = r.u8();
    if (has) s.sar_total_segments = total;
    has = r.u8() != 0;
    std::uint8_t seq = r.u8();
    if (has) s.sar_segment_seqnum = seq;
    if (r.bad || !r.in.empty()) return fail("sms.body", "integrator SMS body is truncated");
    return s;
}

Result<std::vector<smpp::SubmitSm>> integrator_parts(const SmsConfig& cfg, const IntegratorSms& s,
                                                     std::uint8_t ref) {
    smpp::SubmitSm base;
    base.service_type = s.service_type;
    base.source = s.source;
    if (base.source.address.empty()) {
        base.source.address = cfg.source_address;
        base.source.ton = 5;
    }
    base.destination = s.destination;
    base.protocol_id = s.protocol_id;
    base.priority_flag = s.priority_flag;
    base.validity_period =
        s.validity_period.empty() ? relative_validity(cfg.validity_period) : s.validity_period;
    base.registered_delivery = cfg.request_receipts ? 0x01 : 0x00;
    base.data_coding = s.data_coding;
    std::vector<smpp::SubmitSm> out;
    bool single =
        (s.esm_class & 0x40) != 0 || s.octets.size() <= (septet_like(s.data_coding) ? 160u : 140u);
    if (single) {
        smpp::SubmitSm sm = base;
        sm.esm_class = s.esm_class & 0x40;  // UDHI kept; message mode and type are ours
        if (s.octets.size() <= 254)
            sm.short_message = s.octets;
        else
            sm.tlvs.message_payload = s.octets;
        sm.tlvs.sar_msg_ref_num = s.sar_msg_ref_num;
        sm.tlvs.sar_total_segments = s.sar_total_segments;
        sm.tlvs.sar_segment_seqnum = s.sar_segment_seqnum;
        out.push_back(std::move(sm));
        return out;
    }
    auto text = smpp::decode_text(s.data_coding, s.octets);
    if (!text) return Failure{text.error()};
    gsm::Encoding enc = s.data_coding == 0x08 ? gsm::Encoding::ucs2 : gsm::choose_encoding(*text);
    std::uint8_t dc = gsm::data_coding(enc);
    if (enc == gsm::Encoding::gsm7 && septet_like(s.data_coding) && s.data_coding != 0x01)
        dc = s.data_coding;  // the integrator's GSM 7-bit byte (0x00, 0x0F, 0xF0...)
    gsm::SmsSplit split = gsm::split_sms(*text, ref, enc);
    for (const gsm::SmsPart& part : split.parts) {
        smpp::SubmitSm sm = base;
        sm.esm_class = part.udh.empty() ? 0x00 : 0x40;
        sm.data_coding = dc;
        sm.short_message = part.short_message();
        out.push_back(std::move(sm));
    }
    return out;
}

storage::ClientSms client_sms(const IntegratorSms& s, const std::string& account,
                              const std::string& message_id, storage::Msisdn msisdn) {
    storage::ClientSms c;
    c.account = account;
    c.client_message_id = message_id;
    c.msisdn = msisdn;
    c.body = encode_body(s);
    c.receipt = s.registered_delivery & 0x03;
    if (c.receipt == 3) c.receipt = 0;  // reserved value: no receipt
    c.subscriber_ton = s.destination.ton;
    c.subscriber_npi = s.destination.npi;
    c.subscriber = s.destination.address;
    c.reply_ton = s.source.ton;
    c.reply_npi = s.source.npi;
    c.reply_to = s.source.address;
    return c;
}

std::uint8_t message_state_of(std::string_view stat) {
    if (stat == "ENROUTE") return 1;
    if (stat == "DELIVRD") return 2;
    if (stat == "EXPIRED") return 3;
    if (stat == "DELETED") return 4;
    if (stat == "UNDELIV") return 5;
    if (stat == "ACCEPTD") return 6;
    if (stat == "REJECTD") return 8;
    return 7;  // UNKNOWN
}

smpp::DeliverSm receipt_deliver_sm(const storage::ClientReceipt& r) {
    smpp::DeliverSm d;
    d.source = smpp::Address{static_cast<std::uint8_t>(r.subscriber_ton),
                             static_cast<std::uint8_t>(r.subscriber_npi), r.subscriber};
    d.destination = smpp::Address{static_cast<std::uint8_t>(r.reply_ton),
                                  static_cast<std::uint8_t>(r.reply_npi), r.reply_to};
    d.esm_class = 0x04;  // SMSC delivery receipt
    d.data_coding = 0x00;
    int parts = r.parts > 0 ? r.parts : 1;
    d.short_message = fmt::format(
        "id:{} sub:{:03} dlvrd:{:03} submit date:{} done date:{} stat:{} err:{:03} text:",
        r.client_message_id, parts % 1000, r.stat == "DELIVRD" ? parts % 1000 : 0,
        yymmddhhmm(r.submitted_at_ms), yymmddhhmm(r.done_at_ms), r.stat, r.err % 1000);
    d.tlvs.receipted_message_id = r.client_message_id;
    d.tlvs.message_state = message_state_of(r.stat);
    return d;
}

}  // namespace ussdgw::sms
