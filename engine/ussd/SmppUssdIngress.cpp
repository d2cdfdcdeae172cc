#include "engine/ussd/SmppUssdIngress.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/Log.hpp"
#include "smpp/SmppText.hpp"

namespace ussdgw::ussd {

namespace {

constexpr std::string_view kLinkPrefix = "smpp:";
constexpr std::string_view kAccountPrefix = "smpp-server:";

// Who, to which code, in which session: everything of a request but its text.
InboundUssd addressing(const smpp::ShortMessage& sm) {
    InboundUssd in;
    in.subscriber = sm.source;
    in.service = sm.destination;
    in.op = sm.tlvs.ussd_service_op.value_or(0);
    in.its_session_info = sm.tlvs.its_session_info;
    in.user_message_reference = sm.tlvs.user_message_reference;
    return in;
}

}  // namespace

Result<InboundUssd> parse_ussd(const smpp::ShortMessage& sm) {
    if (!sm.tlvs.ussd_service_op) return fail("ussd.not_ussd", "no ussd_service_op");
    InboundUssd in = addressing(sm);
    const std::string& octets =
        sm.tlvs.message_payload ? *sm.tlvs.message_payload : sm.short_message;
    auto text = smpp::decode_text(sm.data_coding, octets);
    if (!text) return Unexpected<Error>{text.error()};
    in.text = std::move(*text);
    // Trim the padding some networks leave (CR or spaces at the end).
    while (!in.text.empty() && (in.text.back() == '\r' || in.text.back() == '\n' ||
                                in.text.back() == ' ' || in.text.back() == '\0'))
        in.text.pop_back();
    return in;
}

std::string session_key(const InboundUssd& in, SessionKeyMode mode) {
    if (mode == SessionKeyMode::automatic) {
        mode = in.its_session_info         ? SessionKeyMode::its_session_info
               : in.user_message_reference ? SessionKeyMode::user_message_reference
                                           : SessionKeyMode::msisdn;
    }
    if (mode == SessionKeyMode::its_session_info && in.its_session_info)
        return fmt::format("{}|i{}", in.subscriber.address, (*in.its_session_info)[0]);
    if (mode == SessionKeyMode::user_message_reference && in.user_message_reference)
        return fmt::format("{}|u{}", in.subscriber.address, *in.user_message_reference);
    return in.subscriber.address;
}

SmppUssdIngress::SmppUssdIngress(UssdService& core, UssdConfig config, Transport transport)
    : core_(core), config_(std::move(config)), transport_(std::move(transport)) {}

SmppUssdIngress::~SmppUssdIngress() {
    for (const auto& [ingress, name] : registered_)
        core_.unregister_ingress(ingress);
}

void SmppUssdIngress::register_ingress(std::string ingress, const std::string& name) {
    core_.register_ingress(ingress, [this](const UssdScreen& s) { on_screen(s); });
    registered_.try_emplace(std::move(ingress), name);
}

void SmppUssdIngress::add_link(const std::string& link) {
    register_ingress(std::string(kLinkPrefix) + link, link);
}

void SmppUssdIngress::add_account(const std::string& system_id) {
    register_ingress(std::string(kAccountPrefix) + system_id, system_id);
}

const UssdProfile& SmppUssdIngress::profile(Kind kind, const std::string& name) const {
    return kind == Kind::link ? config_.link_profile(name) : config_.account_profile(name);
}

bool SmppUssdIngress::on_link_request(const std::string& link, const smpp::ShortMessage& sm) {
    return on_request(Kind::link, link, 0, sm);
}

bool SmppUssdIngress::on_account_request(const std::string& account, std::uint64_t connection,
                                         const smpp::ShortMessage& sm) {
    return on_request(Kind::account, account, connection, sm);
}

void SmppUssdIngress::forget_subscriber(const std::string& ingress, const std::string& subscriber) {
    for (auto it = origins_.lower_bound(IngressKey{ingress, subscriber});
         it != origins_.end() && it->first.ingress == ingress;) {
        const std::string& s = it->first.session;
        bool same = s.size() >= subscriber.size() &&
                    s.compare(0, subscriber.size(), subscriber) == 0 &&
                    (s.size() == subscriber.size() || s[subscriber.size()] == '|');
        if (!same) break;
        it = origins_.erase(it);
    }
}

bool SmppUssdIngress::on_request(Kind kind, const std::string& name, std::uint64_t connection,
                                 const smpp::ShortMessage& sm) {
    if (!sm.tlvs.ussd_service_op) return false;
    IngressKey key;
    key.ingress = std::string(kind == Kind::link ? kLinkPrefix : kAccountPrefix) + name;
    auto registered = registered_.find(key.ingress);
    if (registered == registered_.end()) return false;
    const UssdProfile& p = profile(kind, name);
    auto origin = [&](InboundUssd& in) {
        return Origin{kind,
                      &registered->second,
                      connection,
                      std::move(in.subscriber),
                      std::move(in.service),
                      in.its_session_info,
                      in.user_message_reference};
    };
    auto parsed = parse_ussd(sm);
    if (!parsed) {
        // A USSD request whose text cannot be read: end it with a clear screen.
        InboundUssd in = addressing(sm);
        key.session = session_key(in, p.session_key);
        origins_[key] = origin(in);
        log::warn("ussd.bad_request", "ingress", key.ingress, "error", parsed.error().message);
        core_.refuse(key);
        return true;
    }
    InboundUssd in = std::move(*parsed);
    key.session = session_key(in, p.session_key);
    if (in.op == p.op_begin) {
        forget_subscriber(key.ingress, in.subscriber.address);
        std::string subscriber = in.subscriber.address;
        std::string code = in.service.address;
        std::string text = std::move(in.text);
        origins_[key] = origin(in);
        core_.begin(UssdBegin{key, std::move(subscriber), std::move(code), std::move(text)});
        return true;
    }
    if (in.op == p.op_answer) {
        std::string text = std::move(in.text);
        origins_[key] = origin(in);
        core_.answer(UssdAnswer{key, std::move(text)});
        return true;
    }
    if (std::find(p.release_ops.begin(), p.release_ops.end(), in.op) != p.release_ops.end()) {
        origins_.erase(key);
        core_.release(UssdRelease{key});
        return true;
    }
    log::warn("ussd.unexpected_op", "ingress", key.ingress, "op", static_cast<int>(in.op));
    return true;
}

void SmppUssdIngress::on_account_unbound(const std::string& account) {
    std::string ingress = std::string(kAccountPrefix) + account;
    std::vector<IngressKey> keys;
    for (auto it = origins_.lower_bound(IngressKey{ingress, ""});
         it != origins_.end() && it->first.ingress == ingress; ++it)
        keys.push_back(it->first);
    for (auto& key : keys) {
        origins_.erase(key);
        core_.release(UssdRelease{std::move(key)});
    }
}

smpp::ShortMessage SmppUssdIngress::reply_body(const Origin& o, const UssdScreen& screen) const {
    const UssdProfile& p = profile(o.kind, *o.name);
    smpp::ShortMessage sm;
    sm.service_type = p.service_type;
    sm.source = o.service;
    if (!p.reply_source_address.empty()) sm.source.address = p.reply_source_address;
    sm.destination = o.subscriber;
    smpp::EncodedText body = smpp::encode_text(screen.text, p.gsm7_data_coding);
    sm.data_coding = body.data_coding;
    if (p.reply_in_payload)
        sm.tlvs.message_payload = std::move(body.octets);
    else
        sm.short_message = std::move(body.octets);
    sm.tlvs.ussd_service_op = screen.final ? p.op_end : p.op_continue;
    if (o.its_session_info) {
        auto its = *o.its_session_info;
        its[1] = static_cast<std::uint8_t>(screen.final ? (its[1] | 0x01) : (its[1] & 0xFE));
        sm.tlvs.its_session_info = its;
    }
    sm.tlvs.user_message_reference = o.user_message_reference;
    return sm;
}

void SmppUssdIngress::on_screen(const UssdScreen& screen) {
    auto it = origins_.find(screen.key);
    if (it == origins_.end()) {
        log::error("ussd.no_origin", "ingress", screen.key.ingress);
        return;
    }
    Origin o = screen.final ? std::move(it->second) : it->second;
    if (screen.final) origins_.erase(it);
    smpp::ShortMessage sm = reply_body(o, screen);
    if (o.kind == Kind::link) {
        smpp::SubmitSm submit;
        static_cast<smpp::ShortMessage&>(submit) = std::move(sm);
        transport_.to_link(*o.name, std::move(submit));
        return;
    }
    smpp::PduBody body;
    if (profile(o.kind, *o.name).reply_command == ReplyCommand::data_sm) {
        smpp::DataSm d;
        d.service_type = sm.service_type;
        d.source = sm.source;
        d.destination = sm.destination;
        d.data_coding = sm.data_coding;
        d.tlvs = std::move(sm.tlvs);
        // data_sm has no short_message: the text always goes in message_payload.
        if (!d.tlvs.message_payload) d.tlvs.message_payload = std::move(sm.short_message);
        body = std::move(d);
    } else {
        smpp::DeliverSm d;
        static_cast<smpp::ShortMessage&>(d) = std::move(sm);
        body = std::move(d);
    }
    if (transport_.to_account(*o.name, o.connection, std::move(body))) return;
    // No session of the account can take it: the dialogue cannot go on.
    log::warn("ussd.no_session", "ingress", screen.key.ingress, "account", *o.name);
    if (!screen.final) {
        origins_.erase(screen.key);
        core_.release(UssdRelease{screen.key});
    }
}

}  // namespace ussdgw::ussd
