// engine/ussd: USSD over SMPP, sans-I/O.
//
// `UssdGateway` turns the network's deliver_sm (SPEC 3: ussd_service_op 1 opens a dialogue,
// 18 answers, a vendor release op ends it) into events of menu dialogues (menus/UssdDialogue)
// and their outputs into submit_sm replies (op 2 continues, 17 ends), echoing
// its_session_info (end bit on the final reply) or user_message_reference. Dialogues are
// keyed by link, subscriber and, when the network sends one, the session number. Domain
// actions the dialogues ask for come out as `Perform` items, each with a Cancellation; their
// results come back through `on_action_result`. When a dialogue ends with an action pending
// (release, timeout, or a new dial of the same subscriber on the same link, since a phone
// holds one USSD session at a time) the gateway cancels it, so storage writes nothing of it.
// If storage had already begun writing it, a release or a new dial has nobody left to tell,
// and a timeout waits `kOutcomeWait` for the real outcome and shows it instead of the
// timeout screen. Time is passed in; `next_deadline` tells the caller when to call
// `on_timer`. Every point of the profile is configurable per link (`UssdProfile`).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Metrics.hpp"
#include "engine/base/Result.hpp"
#include "menus/UssdDialogue.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::ussd {

using TimePoint = menus::TimePoint;

// How dialogues are told apart (SPEC 3: its_session_info when the network sends it, else
// subscriber and link; some networks use user_message_reference).
enum class SessionKeyMode { automatic, its_session_info, user_message_reference, msisdn };

struct UssdProfile {
    std::string service_type = "USSD";
    std::uint8_t op_begin = smpp::ussd_op::pssr_indication;  // 1
    std::uint8_t op_answer = smpp::ussd_op::ussr_confirm;    // 18
    std::uint8_t op_continue = smpp::ussd_op::ussr_request;  // 2
    std::uint8_t op_end = smpp::ussd_op::pssr_response;      // 17
    // Ops from the network that release/abort a dialogue (vendor values, e.g. 0x81).
    std::vector<std::uint8_t> release_ops{0x20, 0x21, 0x22, 0x81, 0x82};
    SessionKeyMode session_key = SessionKeyMode::automatic;
    // Source address of replies; empty: the destination address of the request (the code).
    std::string reply_source_address;
    // Put reply text in message_payload instead of short_message.
    bool reply_in_payload = false;
    // data_coding of screens in the GSM 7-bit alphabet: 0x00 (SMSC default alphabet) or 0x0F
    // (both as unpacked septets), or 0x01 (IA5: ASCII bytes; other screens go as UCS2).
    std::uint8_t gsm7_data_coding = 0x00;
};

// A USSD request as the network sent it, decoded.
struct InboundUssd {
    std::string link;
    smpp::Address subscriber;  // source_addr
    smpp::Address service;     // destination_addr
    std::uint8_t op = 0;
    std::string text;  // UTF-8
    std::optional<std::array<std::uint8_t, 2>> its_session_info;
    std::optional<std::uint16_t> user_message_reference;
};

// Decodes the text of a deliver_sm/data_sm body (data_coding 0 GSM default alphabet
// unpacked, 1 IA5/ASCII, 3 Latin-1, 8 UCS2, 0x0F and 0xF0-0xF3 GSM 7-bit classes).
Result<std::string> decode_text(std::uint8_t data_coding, std::string_view octets);

// Reads a deliver_sm as a USSD request; "ussd.not_ussd" when it has no ussd_service_op.
Result<InboundUssd> parse_ussd(const std::string& link, const smpp::ShortMessage& sm);

// How long a timed-out dialogue waits for the outcome of a change that storage had already
// begun writing (a commit takes milliseconds; this bounds a storage that hangs).
inline constexpr std::chrono::milliseconds kOutcomeWait{5000};

class UssdGateway {
  public:
    struct Reply {
        std::string link;
        smpp::SubmitSm pdu;
        bool final = false;
    };
    struct Perform {
        std::uint64_t dialogue = 0;
        menus::ActionRequest request;
    };
    struct Actions {
        std::vector<Reply> replies;
        std::vector<Perform> performs;
        // Request ids cancelled before storage began writing them (nothing was written).
        std::vector<std::uint64_t> annulled;
    };
    struct Stats {
        std::uint64_t begun = 0, answered = 0, ended = 0, timed_out = 0, released = 0;
        std::uint64_t orphan_answers = 0, ignored = 0;
        // Dialogues ended by their timeout, and by shutdown (released ones: `released`;
        // the rest of `ended` completed normally).
        std::uint64_t ended_timeout = 0, ended_shutdown = 0;
    };

    using MenuSource = std::function<menus::MenuSetPtr()>;
    using ProfileOf = std::function<const UssdProfile&(const std::string& link)>;
    // The subscriber's preferred language ("" = none): asked once when a dialogue begins.
    using LanguageOf = std::function<std::string(const std::string& msisdn)>;

    UssdGateway(MenuSource menus, menus::DialogueSettings settings, ProfileOf profile_of,
                LanguageOf language_of = {});

    // A deliver_sm (or data_sm body) from `link`. Returns an error for a PDU that is not
    // USSD (the caller answers it as it sees fit); USSD requests always get an answer.
    Status on_request(const std::string& link, const smpp::ShortMessage& sm, TimePoint now,
                      Actions& out);
    void on_action_result(std::uint64_t dialogue, std::uint64_t request_id,
                          const menus::ActionResult& result, TimePoint now, Actions& out);
    void on_timer(TimePoint now, Actions& out);
    // Ends every dialogue (shutdown): final timeout screens go out, pending actions annulled.
    void shutdown(TimePoint now, Actions& out);

    std::optional<TimePoint> next_deadline() const;
    std::size_t active() const { return dialogues_.size(); }
    const Stats& stats() const { return stats_; }
    // Seconds from a request (begin or answer) to the screen that answers it.
    const metrics::Histogram& step_seconds() const { return step_seconds_; }

  private:
    struct Entry {
        std::uint64_t id = 0;
        std::string key;
        std::string subscriber_key;  // link and subscriber, whatever the session
        InboundUssd origin;          // addresses and session info of the last request
        menus::UssdDialogue dialogue;
        std::optional<TimePoint> deadline;
        CancellationPtr pending;              // the pending action's, until its result arrives
        bool awaiting_write = false;          // timed out while storage was writing the action
        std::optional<TimePoint> step_began;  // the request awaiting its screen
    };

    std::string key_of(const InboundUssd& in) const;
    void apply(Entry& e, menus::DialogueOutput&& o, Actions& out);
    void annul(Entry& e, std::uint64_t request, Actions& out);
    void release_others(const std::string& subscriber_key, TimePoint now, Actions& out);
    void erase(Entry& e);
    Reply reply_to(const InboundUssd& origin, const std::string& text, gsm::Encoding encoding,
                   bool final) const;

    MenuSource menus_;
    menus::DialogueSettings settings_;
    ProfileOf profile_of_;
    LanguageOf language_of_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::string, std::uint64_t> by_key_;
    std::unordered_multimap<std::string, std::uint64_t> by_subscriber_;
    std::map<std::uint64_t, Entry> dialogues_;
    std::set<std::pair<TimePoint, std::uint64_t>> deadlines_;
    Stats stats_;
    metrics::Histogram step_seconds_{metrics::latency_buckets()};
    TimePoint now_{};  // the time of the event being handled (for step_seconds_)
};

}  // namespace ussdgw::ussd
