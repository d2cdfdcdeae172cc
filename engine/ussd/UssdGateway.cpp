#include "engine/ussd/UssdGateway.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/GsmText.hpp"
#include "engine/base/Log.hpp"

namespace ussdgw::ussd {

namespace {

std::string latin1_to_utf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

}  // namespace

Result<std::string> decode_text(std::uint8_t data_coding, std::string_view octets) {
    // General data coding group (00xxxxxx) with no compression: bits 3..2 give the alphabet.
    std::uint8_t dc = data_coding;
    if ((dc & 0xC0) == 0x00 && (dc & 0x20) == 0 && dc > 0x0F) {
        switch ((dc >> 2) & 0x03) {
            case 0:
                return gsm::from_gsm7(octets);
            case 2:
                return gsm::from_ucs2(octets);
            default:
                return latin1_to_utf8(octets);
        }
    }
    if ((dc & 0xF0) == 0xF0) {  // data coding / message class group
        return (dc & 0x04) ? latin1_to_utf8(octets) : gsm::from_gsm7(octets);
    }
    switch (dc) {
        case 0x00:  // SMSC default alphabet: GSM 03.38, one septet per octet
        case 0x0F:  // USSD "language unspecified" GSM 7-bit
            return gsm::from_gsm7(octets);
        case 0x01:  // IA5 (ASCII)
        case 0x03:  // Latin-1
        case 0x04:  // 8-bit binary; USSD strings are digits, * and #: read as Latin-1
            return latin1_to_utf8(octets);
        case 0x08:
            return gsm::from_ucs2(octets);
        default:
            return fail("ussd.data_coding", fmt::format("data_coding 0x{:02x} not supported", dc));
    }
}

namespace {
// Who, to which code, in which session: everything of a request but its text.
InboundUssd addressing(const std::string& link, const smpp::ShortMessage& sm) {
    InboundUssd in;
    in.link = link;
    in.subscriber = sm.source;
    in.service = sm.destination;
    in.op = sm.tlvs.ussd_service_op.value_or(0);
    in.its_session_info = sm.tlvs.its_session_info;
    in.user_message_reference = sm.tlvs.user_message_reference;
    return in;
}
}  // namespace

Result<InboundUssd> parse_ussd(const std::string& link, const smpp::ShortMessage& sm) {
    if (!sm.tlvs.ussd_service_op) return fail("ussd.not_ussd", "no ussd_service_op");
    InboundUssd in = addressing(link, sm);
    const std::string& octets =
        sm.tlvs.message_payload ? *sm.tlvs.message_payload : sm.short_message;
    auto text = decode_text(sm.data_coding, octets);
    if (!text) return Unexpected<Error>{text.error()};
    in.text = std::move(*text);
    // Trim the padding some networks leave (CR or spaces at the end).
    while (!in.text.empty() && (in.text.back() == '\r' || in.text.back() == '\n' ||
                                in.text.back() == ' ' || in.text.back() == '\0'))
        in.text.pop_back();
    return in;
}

UssdGateway::UssdGateway(MenuSource menus, menus::DialogueSettings settings, ProfileOf profile_of,
                         LanguageOf language_of)
    : menus_(std::move(menus)),
      settings_(std::move(settings)),
      profile_of_(std::move(profile_of)),
      language_of_(std::move(language_of)) {}

std::string UssdGateway::key_of(const InboundUssd& in) const {
    SessionKeyMode mode = profile_of_(in.link).session_key;
    if (mode == SessionKeyMode::automatic) {
        mode = in.its_session_info         ? SessionKeyMode::its_session_info
               : in.user_message_reference ? SessionKeyMode::user_message_reference
                                           : SessionKeyMode::msisdn;
    }
    switch (mode) {
        case SessionKeyMode::its_session_info:
            if (in.its_session_info)
                return fmt::format("{}|{}|i{}", in.link, in.subscriber.address,
                                   (*in.its_session_info)[0]);
            break;
        case SessionKeyMode::user_message_reference:
            if (in.user_message_reference)
                return fmt::format("{}|{}|u{}", in.link, in.subscriber.address,
                                   *in.user_message_reference);
            break;
        default:
            break;
    }
    return fmt::format("{}|{}", in.link, in.subscriber.address);
}

UssdGateway::Reply UssdGateway::reply_to(const InboundUssd& origin, const std::string& text,
                                         gsm::Encoding encoding, bool final) const {
    const UssdProfile& p = profile_of_(origin.link);
    Reply r;
    r.link = origin.link;
    r.final = final;
    smpp::SubmitSm& sm = r.pdu;
    sm.service_type = p.service_type;
    sm.source = origin.service;
    if (!p.reply_source_address.empty()) sm.source.address = p.reply_source_address;
    sm.destination = origin.subscriber;
    std::string body;
    bool ascii = std::all_of(text.begin(), text.end(),
                             [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (encoding == gsm::Encoding::gsm7 && p.gsm7_data_coding == 0x01 && !ascii)
        encoding = gsm::Encoding::ucs2;  // IA5 has no room for it
    if (encoding == gsm::Encoding::gsm7 && p.gsm7_data_coding == 0x01) {
        sm.data_coding = 0x01;
        body = text;  // IA5: the ASCII bytes themselves
    } else {
        sm.data_coding =
            encoding == gsm::Encoding::gsm7 ? p.gsm7_data_coding : gsm::data_coding(encoding);
        body = gsm::encode(text, encoding);
    }
    if (p.reply_in_payload)
        sm.tlvs.message_payload = std::move(body);
    else
        sm.short_message = std::move(body);
    sm.tlvs.ussd_service_op = final ? p.op_end : p.op_continue;
    if (origin.its_session_info) {
        auto its = *origin.its_session_info;
        its[1] = static_cast<std::uint8_t>(final ? (its[1] | 0x01) : (its[1] & 0xFE));
        sm.tlvs.its_session_info = its;
    }
    sm.tlvs.user_message_reference = origin.user_message_reference;
    return r;
}

void UssdGateway::erase(Entry& e) {
    if (e.deadline) deadlines_.erase({*e.deadline, e.id});
    by_key_.erase(e.key);
    auto [first, last] = by_subscriber_.equal_range(e.subscriber_key);
    for (auto it = first; it != last; ++it) {
        if (it->second == e.id) {
            by_subscriber_.erase(it);
            break;
        }
    }
    dialogues_.erase(e.id);
}

void UssdGateway::annul(Entry& e, std::uint64_t request, Actions& out) {
    if (!e.pending || e.pending->cancel()) {
        out.annulled.push_back(request);
        log::info("ussd.action_annulled", "link", e.origin.link, "dialogue", e.id, "request",
                  request);
    } else {
        // Storage had begun writing it: it will be written (or refused) all the same.
        log::warn("ussd.action_not_annulled", "link", e.origin.link, "dialogue", e.id, "request",
                  request, "reason", "storage had begun writing it");
    }
    e.pending.reset();
}

void UssdGateway::apply(Entry& e, menus::DialogueOutput&& o, Actions& out) {
    if (o.annul_action) annul(e, *o.annul_action, out);
    if (o.has_screen) out.replies.push_back(reply_to(e.origin, o.text, o.encoding, o.end));
    if (o.has_screen && e.step_began) {
        step_seconds_.observe(std::chrono::duration<double>(now_ - *e.step_began).count());
        e.step_began.reset();
    }
    if (o.action) {
        o.action->cancellation = std::make_shared<Cancellation>();
        e.pending = o.action->cancellation;
        e.awaiting_write = false;
        out.performs.push_back(Perform{e.id, std::move(*o.action)});
    }
    if (e.deadline) deadlines_.erase({*e.deadline, e.id});
    e.deadline = o.deadline;
    if (o.end || e.dialogue.ended()) {
        ++stats_.ended;
        erase(e);
        return;
    }
    if (e.deadline) deadlines_.insert({*e.deadline, e.id});
}

Status UssdGateway::on_request(const std::string& link, const smpp::ShortMessage& sm, TimePoint now,
                               Actions& out) {
    now_ = now;
    auto parsed = parse_ussd(link, sm);
    if (!parsed) {
        if (parsed.error().code == "ussd.not_ussd") return Unexpected<Error>{parsed.error()};
        // A USSD request whose text cannot be read: end it with a clear screen.
        if (auto set = menus_()) {
            InboundUssd in = addressing(link, sm);
            const std::string& text = set->messages.invalid_request.at(set->default_language);
            out.replies.push_back(reply_to(in, text, gsm::choose_encoding(text), true));
        }
        ++stats_.ignored;
        return Unexpected<Error>{parsed.error()};
    }
    InboundUssd in = std::move(*parsed);
    const UssdProfile& profile = profile_of_(link);
    std::string key = key_of(in);
    auto found = by_key_.find(key);
    Entry* existing = found == by_key_.end() ? nullptr : &dialogues_.at(found->second);

    if (in.op == profile.op_begin) {
        if (existing) {  // the network started over: the old dialogue is gone
            ++stats_.released;
            auto o = existing->dialogue.release(now);
            o.has_screen = false;
            o.end = true;
            apply(*existing, std::move(o), out);
        }
        std::string subscriber_key = fmt::format("{}|{}", link, in.subscriber.address);
        release_others(subscriber_key, now, out);
        menus::MenuSetPtr set = menus_();
        if (!set) return fail("ussd.no_menus", "no menu set loaded");
        ++stats_.begun;
        std::uint64_t id = next_id_++;
        auto [it, _] = dialogues_.emplace(
            id, Entry{id, key, subscriber_key, in, menus::UssdDialogue(std::move(set), settings_),
                      std::nullopt, nullptr, false, std::nullopt});
        by_key_[key] = id;
        by_subscriber_.emplace(subscriber_key, id);
        Entry& e = it->second;
        e.step_began = now;
        log::info("ussd.begin", "link", link, "dialogue", id, "code", in.text);
        std::string language = language_of_ ? language_of_(in.subscriber.address) : "";
        apply(e, e.dialogue.begin(in.subscriber.address, in.text, language, now), out);
        return ok_status();
    }
    if (in.op == profile.op_answer) {
        if (!existing) {
            // An answer to a dialogue we no longer have (timed out, engine restarted).
            ++stats_.orphan_answers;
            if (auto set = menus_()) {
                const std::string& text = set->messages.timeout.at(set->default_language);
                out.replies.push_back(reply_to(in, text, gsm::choose_encoding(text), true));
            }
            return ok_status();
        }
        ++stats_.answered;
        existing->step_began = now;
        existing->origin = in;
        apply(*existing, existing->dialogue.answer(in.text, now), out);
        return ok_status();
    }
    if (std::find(profile.release_ops.begin(), profile.release_ops.end(), in.op) !=
        profile.release_ops.end()) {
        if (existing) {
            ++stats_.released;
            log::info("ussd.release", "link", link, "dialogue", existing->id);
            apply(*existing, existing->dialogue.release(now), out);
        }
        return ok_status();
    }
    ++stats_.ignored;
    log::warn("ussd.unexpected_op", "link", link, "op", static_cast<int>(in.op));
    return ok_status();
}

void UssdGateway::release_others(const std::string& subscriber_key, TimePoint now, Actions& out) {
    // A phone holds one USSD session at a time: a new dial abandons the subscriber's other
    // dialogues on this link, and the changes they were waiting for must not be written.
    std::vector<std::uint64_t> waiting;
    auto [first, last] = by_subscriber_.equal_range(subscriber_key);
    for (auto it = first; it != last; ++it)
        if (dialogues_.at(it->second).pending) waiting.push_back(it->second);
    for (std::uint64_t id : waiting) {
        Entry& e = dialogues_.at(id);
        ++stats_.released;
        log::info("ussd.release", "link", e.origin.link, "dialogue", id, "reason", "new_dial");
        apply(e, e.dialogue.release(now), out);
    }
}

void UssdGateway::on_action_result(std::uint64_t dialogue, std::uint64_t request_id,
                                   const menus::ActionResult& result, TimePoint now, Actions& out) {
    now_ = now;
    auto it = dialogues_.find(dialogue);
    if (it == dialogues_.end()) {
        // Ended meanwhile: either the request was annulled (nothing written) or storage had
        // begun writing it before the end (the log says what became of it).
        if (result.outcome != menus::outcome::annulled)
            log::info("ussd.outcome_after_end", "dialogue", dialogue, "request", request_id,
                      "outcome", result.outcome);
        return;
    }
    Entry& e = it->second;
    if (e.dialogue.pending_action() == request_id) e.pending.reset();
    apply(e, e.dialogue.action_result(request_id, result, now), out);
}

void UssdGateway::on_timer(TimePoint now, Actions& out) {
    now_ = now;
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
        std::uint64_t id = deadlines_.begin()->second;
        deadlines_.erase(deadlines_.begin());
        auto it = dialogues_.find(id);
        if (it == dialogues_.end()) continue;
        Entry& e = it->second;
        e.deadline.reset();
        if (e.pending && !e.awaiting_write && !e.pending->cancel()) {
            // Too late to annul: storage is writing the change. Show its outcome when it
            // comes rather than a timeout that would suggest that nothing was done.
            e.awaiting_write = true;
            log::info("ussd.awaiting_outcome", "link", e.origin.link, "dialogue", id);
            apply(e, e.dialogue.await_result(now, now + kOutcomeWait), out);
            continue;
        }
        ++stats_.timed_out;
        log::info("ussd.timeout", "link", e.origin.link, "dialogue", id);
        apply(e, e.dialogue.timeout(now), out);
        if (!dialogues_.count(id)) ++stats_.ended_timeout;
    }
}

void UssdGateway::shutdown(TimePoint now, Actions& out) {
    now_ = now;
    while (!dialogues_.empty()) {
        Entry& e = dialogues_.begin()->second;
        auto o = e.dialogue.timeout(now);
        o.end = true;
        ++stats_.ended_shutdown;
        apply(e, std::move(o), out);
    }
}

std::optional<TimePoint> UssdGateway::next_deadline() const {
    if (deadlines_.empty()) return std::nullopt;
    return deadlines_.begin()->first;
}

}  // namespace ussdgw::ussd
