// engine/cli/UssdBenchScript: the simulated subscribers of `ussdgw bench ussd`, sans-I/O.
//
// A `SubscriberDialogue` is one subscriber's dialogue as a plain state machine: it says what
// the phone sends now (`request`: the ussd_service_op, the text, its_session_info) and checks
// every screen that comes back (`on_screen`): the op (2 continues, 17 ends), its_session_info
// echoed with the end bit set exactly on the final screen, service_type USSD, and the text,
// character for character, as the cabinet menus (menus/cabinet, Russian) show it. A fast
// wrong answer is a `wrong` verdict, never a dialogue done. The texts are written here from
// the menu files, not taken from the engine, so that the bench checks the engine against
// what a subscriber must see.
//
// Scenarios (every dialogue has 3 steps: the dial and two answers):
//   toggle  *141*3*6#: access open  -> "1" close -> "1" yes  -> "closed" (one committed change)
//                      access closed -> "1" open -> PUK1     -> "open"   (one committed change)
//   cancel  *141*3*6#: access open  -> "1" close -> "2" no   -> "not changed" (reads only);
//           a subscriber whose access is closed goes through the toggle steps instead.
// And a one-step dialogue mixed into either (--password-share):
//   password *141*0#: "password sent" (an Argon2id hash, a commit and an SMS), or one of the
//           menus' valid refusals: "service temporarily unavailable, try later" (the hash
//           pool is busy), the password request limit, or "access closed by you".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/Result.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::cli::ussdbench {

enum class Scenario { toggle, cancel, password };
std::optional<Scenario> scenario_named(std::string_view name);
const char* name_of(Scenario s);

inline constexpr std::string_view kServiceCode = "*141*3*6#";
inline constexpr std::string_view kPasswordCode = "*141*0#";

// The final screen of a password dialogue, as the subscriber reads it.
enum class PasswordAnswer { none, sent, try_later, limit, access_closed };

// What the phone sends at a step (as deliver_sm to the engine).
struct Request {
    std::uint8_t op = smpp::ussd_op::pssr_indication;
    std::string text;
    std::array<std::uint8_t, 2> its_session_info{};
};
// The deliver_sm carrying `request` from `msisdn` to the service code.
smpp::DeliverSm deliver_sm_of(const Request& request, const std::string& msisdn);

// A screen as the phone gets it (from a submit_sm).
struct Screen {
    std::uint8_t op = 0;
    std::string service_type;
    std::string text;  // UTF-8
    std::optional<std::array<std::uint8_t, 2>> its_session_info;
};
// Reads a submit_sm's screen: an error when it has no ussd_service_op or its text does not
// decode for its data_coding (0x00 GSM 7-bit unpacked, 0x08 UCS2, 0x01 ASCII).
Result<Screen> screen_of(const smpp::SubmitSm& sm);

struct Verdict {
    enum class Kind { next, done, wrong } kind = Kind::next;
    std::string why;  // wrong: what differed
};

class SubscriberDialogue {
  public:
    // `subscriber` is the population index (its PUK1 is known); `access_open` what the bench
    // knows of its access; `session` the its_session_info session number to use.
    SubscriberDialogue(Scenario scenario, std::size_t subscriber, bool access_open,
                       std::uint8_t session);

    const Request& request() const { return request_; }
    // Checks a screen against the current step; on `next`, request() is the next step.
    Verdict on_screen(const Screen& screen);

    std::size_t subscriber() const { return subscriber_; }
    std::size_t step() const { return step_; }  // 0-based index of the step awaited
    std::size_t steps() const { return script_.size(); }
    bool finished() const { return step_ >= script_.size(); }
    // The subscriber's access once this dialogue is done, and whether that is a change.
    bool access_open_after() const { return access_after_; }
    bool changes_access() const { return access_after_ != access_before_; }
    // Waiting for the final screen: the change it asked for may be committed already.
    bool awaiting_final() const { return !finished() && script_[step_].final; }
    bool is_password() const { return scenario_ == Scenario::password; }
    // A finished password dialogue: which of its valid final screens came.
    PasswordAnswer password_answer() const { return answer_; }

  private:
    struct Step {
        std::string send;
        std::string_view expect;
        bool final = false;
    };
    // The screen is one of a password dialogue's valid final screens: which one.
    PasswordAnswer password_answer_of(std::string_view text) const;
    void prepare_request();

    Scenario scenario_;
    std::size_t subscriber_;
    std::uint8_t session_;
    PasswordAnswer answer_ = PasswordAnswer::none;
    std::vector<Step> script_;
    std::size_t step_ = 0;
    bool access_before_, access_after_;
    Request request_;
};

}  // namespace ussdgw::cli::ussdbench
