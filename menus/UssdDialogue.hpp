// One USSD dialogue as a state machine: events in (begin, answer, action_result, timeout,
// release), a DialogueOutput out (a screen to send and whether the dialogue continues or
// ends, an action for the domain to perform, an action to annul, the next deadline). No I/O,
// no clock: the caller passes `now` and arms a timer for `deadline`.
//
// Language: the service code's language when its [[service_codes]] entry names one, else the
// subscriber's preferred language when the set has it, else the configured default, else
// the set's default_language.
//
// Timeouts: every step (waiting for an answer or an action result) has `step_timeout`; the
// whole dialogue has `dialogue_timeout`. When a deadline passes, `timeout(now)` ends the
// dialogue with the timeout text; a pending action is annulled (output.annul_action) and its
// late result is ignored. `release` ends it silently the same way. Actions are requested only
// at commit points (after a confirmation or a PUK1), so nothing half-done is ever committed.
// When the caller could not annul a pending action in time (storage had begun writing it),
// it calls `await_result` instead of `timeout`: the dialogue waits a little longer for the
// result and shows what was done, never a timeout that would suggest nothing was.
//
// Lifecycle (DialoguePhase): not_begun -> awaiting_answer (a screen is shown) <->
// awaiting_result (an action is pending) -> ended. Each event is taken only in the phases
// where it means something; anywhere else it changes nothing and returns the current state.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/GsmText.hpp"
#include "menus/DomainAction.hpp"
#include "menus/MenuSet.hpp"

namespace ussdgw::menus {

struct DialogueSettings {
    std::chrono::milliseconds step_timeout{30'000};
    std::chrono::milliseconds dialogue_timeout{180'000};
    std::string default_language;  // "" = the menu set's default_language
};

struct DialogueOutput {
    bool has_screen = false;  // send `text` to the subscriber
    std::string text;         // UTF-8
    gsm::Encoding encoding = gsm::Encoding::gsm7;
    bool end = false;  // the dialogue is over (the screen, if any, is the final one)
    std::optional<ActionRequest> action;        // perform, then call action_result
    std::optional<std::uint64_t> annul_action;  // do not commit this request
    std::optional<TimePoint> deadline;          // call timeout() then; none once ended
};

enum class DialoguePhase {
    not_begun,        // before begin()
    awaiting_answer,  // a screen is shown; answer() moves on
    awaiting_result,  // an action is pending; action_result() with its id moves on
    ended,            // the final screen was sent, or the dialogue timed out or was released
};

class UssdDialogue {
  public:
    UssdDialogue(MenuSetPtr menus, DialogueSettings settings);

    DialogueOutput begin(const std::string& msisdn, std::string_view ussd_string,
                         const std::string& preferred_language, TimePoint now);
    DialogueOutput answer(std::string_view text, TimePoint now);
    DialogueOutput action_result(std::uint64_t request_id, const ActionResult& result,
                                 TimePoint now);
    DialogueOutput timeout(TimePoint now);
    DialogueOutput release(TimePoint now);
    // The deadline passed while an action was pending, but the action can no longer be
    // annulled: wait for its result until `until` (then `timeout` applies as usual).
    DialogueOutput await_result(TimePoint now, TimePoint until);

    DialoguePhase phase() const { return phase_; }
    bool ended() const { return phase_ == DialoguePhase::ended; }
    const std::string& language() const { return language_; }
    const MenuSet& menus() const { return *menus_; }
    // The screen the dialogue is on ("" before begin or after a set-level message).
    const std::string& screen_id() const { return screen_id_; }
    // The request the dialogue waits for (in awaiting_result only).
    std::optional<std::uint64_t> pending_action() const;

  private:
    DialogueOutput enter(const std::string& screen_id, TimePoint now);
    DialogueOutput show_current(TimePoint now, bool invalid);
    DialogueOutput finish(const LocalText& text, TimePoint now);
    DialogueOutput screen_output(const std::string& text, bool end, TimePoint now);
    DialogueOutput quiet() const;
    void end();
    DialogueOutput request(const Screen& s, TimePoint now);
    DialogueOutput invalid_answer(TimePoint now);
    void arm(TimePoint now);
    const std::string& local(const LocalText& t) const;

    MenuSetPtr menus_;
    DialogueSettings settings_;
    std::string msisdn_;
    std::string language_;
    std::string screen_id_;
    std::size_t page_ = 0;
    int invalid_count_ = 0;
    DialoguePhase phase_ = DialoguePhase::not_begun;
    std::map<std::string, std::string> vars_;
    std::map<std::string, Secret> secrets_;
    // The parts of the dialled string not yet consumed, the next one last (a vector: a
    // std::deque allocates ~600 bytes even when empty, in every open dialogue).
    std::vector<std::string> shortcut_;
    std::uint64_t pending_id_ = 0;  // meaningful in awaiting_result only
    std::uint64_t next_action_id_ = 1;
    TimePoint started_{};
    TimePoint deadline_{};
};

// Runs a whole dialogue synchronously against a performer: feeds each action's result back
// until the output needs the subscriber (or ends). For tests and `ussdgw menus try`.
DialogueOutput settle(UssdDialogue& dialogue, DialogueOutput out, ActionPerformer& domain,
                      TimePoint now);

}  // namespace ussdgw::menus
