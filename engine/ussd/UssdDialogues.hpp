// engine/ussd: USSD dialogues for every ingress, transport-neutral and sans-I/O.
//
// `UssdDialogues` is the table of open dialogues (menus/UssdDialogue), keyed by
// `IngressKey` (the ingress name and the ingress's own session key, UssdIngress.hpp). It is
// fed neutral events (begin, answer, release, a request the ingress could not read) and
// time, and returns `Actions`: screens for the ingresses, domain actions to perform (each
// with a Cancellation), and the requests it annulled. A new begin of a subscriber on an
// ingress ends that subscriber's other dialogues there (a phone holds one USSD session at a
// time); their pending actions are cancelled, so storage writes nothing of them. If storage
// had already begun writing one, a release has nobody left to tell, and a timeout waits
// `kOutcomeWait` for the real outcome and shows it instead of the timeout screen. Time is
// passed in; `next_deadline` tells the caller when to call `on_timer`. Counters are kept
// per ingress (begun, ended by outcome, step latency).
//
// `UssdService` (UssdService.hpp) is its shell on the engine's loop; the ingress adapters
// (SmppUssdIngress, and the HTTP one) translate their transports into these events.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Metrics.hpp"
#include "engine/ussd/UssdIngress.hpp"
#include "menus/UssdDialogue.hpp"

namespace ussdgw::ussd {

using TimePoint = menus::TimePoint;

// How long a timed-out dialogue waits for the outcome of a change that storage had already
// begun writing (a commit takes milliseconds; this bounds a storage that hangs).
inline constexpr std::chrono::milliseconds kOutcomeWait{5000};

// How a dialogue ended: the menu ended it; its step or dialogue timeout; released (by the
// network, by a new dial of the subscriber, or by the ingress); the engine shut down; its
// ingress went away.
enum class DialogueOutcome { completed, timeout, released, shutdown, ingress_gone };
inline constexpr std::array<DialogueOutcome, 5> kDialogueOutcomes{
    DialogueOutcome::completed, DialogueOutcome::timeout, DialogueOutcome::released,
    DialogueOutcome::shutdown, DialogueOutcome::ingress_gone};
const char* outcome_name(DialogueOutcome o);

class UssdDialogues {
  public:
    struct Perform {
        std::uint64_t dialogue = 0;
        menus::ActionRequest request;
    };
    struct Actions {
        std::vector<UssdScreen> screens;
        std::vector<Perform> performs;
        // Request ids cancelled before storage began writing them (nothing was written).
        std::vector<std::uint64_t> annulled;
    };
    struct IngressStats {
        std::uint64_t begun = 0, answers = 0, orphan_answers = 0, refused = 0;
        std::uint64_t annulled = 0;  // actions cancelled before storage began writing them
        std::array<std::uint64_t, kDialogueOutcomes.size()> ended{};
        std::uint64_t active = 0;
        std::uint64_t ended_as(DialogueOutcome o) const { return ended[static_cast<int>(o)]; }
    };

    using MenuSource = std::function<menus::MenuSetPtr()>;
    // The subscriber's preferred language ("" = none): asked once when a dialogue begins.
    using LanguageOf = std::function<std::string(const std::string& msisdn)>;

    UssdDialogues(MenuSource menus, menus::DialogueSettings settings, LanguageOf language_of = {});

    void begin(const UssdBegin& event, TimePoint now, Actions& out);
    // An answer to a dialogue that is not open (timed out, engine restarted) gets a final
    // screen saying the session is over.
    void answer(const UssdAnswer& event, TimePoint now, Actions& out);
    // Ends the dialogue without a screen; its pending action is annulled.
    void release(const UssdRelease& event, TimePoint now, Actions& out);
    // A request the ingress could not read (bad coding): a final "invalid request" screen,
    // and an open dialogue under that key ends.
    void refuse(const IngressKey& key, TimePoint now, Actions& out);
    // Ends every dialogue of `ingress` without screens (it is gone); pending actions annulled.
    void end_ingress(const std::string& ingress, TimePoint now, Actions& out);
    void on_action_result(std::uint64_t dialogue, std::uint64_t request_id,
                          const menus::ActionResult& result, TimePoint now, Actions& out);
    void on_timer(TimePoint now, Actions& out);
    // Ends every dialogue (shutdown): a final "service unavailable" screen goes out for each,
    // pending actions are annulled.
    void shutdown(TimePoint now, Actions& out);

    std::optional<TimePoint> next_deadline() const;
    std::size_t active() const { return dialogues_.size(); }
    bool open(const IngressKey& key) const { return by_key_.contains(view(key)); }
    const std::map<std::string, IngressStats>& stats() const { return stats_; }
    // Seconds from a request (begin or answer) to the screen that answers it, by ingress.
    const std::map<std::string, metrics::Histogram>& step_seconds() const { return steps_; }

  private:
    struct Entry {
        std::uint64_t id = 0;
        IngressKey key;
        std::string subscriber;
        menus::UssdDialogue dialogue;
        std::optional<TimePoint> deadline;
        CancellationPtr pending;              // the pending action's, until its result arrives
        bool awaiting_write = false;          // timed out while storage was writing the action
        std::optional<TimePoint> step_began;  // the request awaiting its screen
    };
    // The indexes' keys view the strings of their entry (entries are nodes of `dialogues_`
    // and never move), so an open dialogue holds one copy of its key and subscriber. They are
    // hashed: in a tree every lookup compared the ingress name, the same for all of an
    // ingress's dialogues, a dozen times over (at 1,000 open dialogues the trees and memcmp
    // took 4.4% of the engine's perf samples, the hash tables and memcmp 3.0%).
    using KeyView = std::pair<std::string_view, std::string_view>;        // ingress, session
    using SubscriberKey = std::pair<std::string_view, std::string_view>;  // ingress, subscriber
    struct ViewPairHash {
        std::size_t operator()(const std::pair<std::string_view, std::string_view>& k) const {
            const std::size_t a = std::hash<std::string_view>{}(k.first);
            return a ^ (std::hash<std::string_view>{}(k.second) + 0x9e3779b97f4a7c15ULL + (a << 6) +
                        (a >> 2));
        }
    };
    static KeyView view(const IngressKey& key) { return {key.ingress, key.session}; }

    void apply(Entry& e, menus::DialogueOutput&& o, DialogueOutcome how, TimePoint now,
               Actions& out);
    void end_silently(Entry& e, DialogueOutcome how, TimePoint now, Actions& out);
    void annul(Entry& e, std::uint64_t request, Actions& out);
    void final_screen(const IngressKey& key, const std::string& text, Actions& out);
    IngressStats& stats_of(const std::string& ingress) { return stats_[ingress]; }
    void erase(Entry& e);

    MenuSource menus_;
    menus::DialogueSettings settings_;
    LanguageOf language_of_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<KeyView, std::uint64_t, ViewPairHash> by_key_;
    std::unordered_multimap<SubscriberKey, std::uint64_t, ViewPairHash> by_subscriber_;
    std::map<std::uint64_t, Entry> dialogues_;
    std::set<std::pair<TimePoint, std::uint64_t>> deadlines_;
    std::map<std::string, IngressStats> stats_;
    std::map<std::string, metrics::Histogram> steps_;
};

}  // namespace ussdgw::ussd
