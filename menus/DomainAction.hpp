// The contract between the menus and the domain (storage): which actions a dialogue can ask
// for, with which arguments, and which outcome codes come back.
//
// A dialogue never calls storage. When a screen needs the domain it returns an
// `ActionRequest`; the caller performs it (storage hashes on a worker pool) and feeds an
// `ActionResult` back with `UssdDialogue::action_result`. An action is performed only at a
// commit point (after the subscriber confirmed or entered the PUK1). If the dialogue ends
// first (timeout, release) the output carries `annul_action` with the request id: the
// caller cancels the request's `cancellation` so that storage writes nothing of it (unless
// the writer had already begun: then `cancel()` says so and the real outcome follows), and
// the dialogue ignores its result. Every action may also answer "not_found" (unknown
// subscriber), "service.suspended" and "error" (temporary failure); menus map outcome codes
// to screens in their data files.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Secret.hpp"

namespace ussdgw::menus {

// Dialogue time: the monotonic clock (deadlines and timeouts), never the wall clock.
using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

enum class ActionKind {
    issue_password,        // new random password by SMS to msisdn
    access_state,          // cabinet access state of msisdn
    open_access,           // verify puk (PUK1 of the SIM in use) and open access of msisdn
    close_access,          // close access of msisdn (closed by the subscriber)
    managed_access_state,  // msisdn (administrator/supervisor) looks up target's access
    managed_open_access,   // msisdn opens target's access (same client only)
    managed_close_access,  // msisdn closes target's access (same client only)
};

// Stable outcome codes (the strings storage answers with).
namespace outcome {
inline constexpr std::string_view ok = "ok";
inline constexpr std::string_view access_open = "access.open";
inline constexpr std::string_view closed_by_subscriber = "access.closed_by_subscriber";
inline constexpr std::string_view closed_by_organisation = "access.closed_by_organisation";
inline constexpr std::string_view closed_by_operator = "access.closed_by_operator";
inline constexpr std::string_view puk_wrong = "puk.wrong";            // field attempts_left
inline constexpr std::string_view puk_locked = "puk.locked";          // field until
inline constexpr std::string_view rate_limited = "sms.rate_limited";  // field retry_after
inline constexpr std::string_view suspended = "service.suspended";
inline constexpr std::string_view not_found = "not_found";
inline constexpr std::string_view not_manager = "not_manager";
inline constexpr std::string_view not_same_client = "not_same_client";
inline constexpr std::string_view error = "error";
// The request was cancelled before storage wrote anything (its dialogue had ended).
inline constexpr std::string_view annulled = "request.annulled";
}  // namespace outcome

// What an action takes and may answer. Parameters other than the caller's msisdn:
// "puk" (a Secret, from a secret input) and "target" (an MSISDN).
struct ActionSpec {
    ActionKind kind;
    std::string_view name;
    std::vector<std::string_view> params;
    std::vector<std::string_view> outcomes;  // including the common ones
};

const std::vector<ActionSpec>& action_specs();
const ActionSpec* find_action(std::string_view name);
const ActionSpec& spec_of(ActionKind kind);
std::string_view to_string(ActionKind kind);

// Fields an outcome may carry, usable as {placeholders} in texts, with the widest value a
// screen must have room for (texts are checked at load with values this wide).
struct TextField {
    std::string_view name;
    std::size_t max_width;
};
// msisdn, target (15 digits), attempts_left (3), until (16, "2026-11-24 21:30"),
// retry_after (16).
const std::vector<TextField>& text_fields();
const TextField* find_text_field(std::string_view name);

struct ActionRequest {
    std::uint64_t id = 0;  // unique within the dialogue
    ActionKind kind = ActionKind::access_state;
    std::string msisdn;  // the subscriber in the dialogue
    std::string target;  // managed_*: the other subscriber
    Secret puk;          // open_access: the PUK1 entered (never logged)
    // Set by the caller that performs the request (the USSD gateway) and cancelled when the
    // dialogue ends first; storage claims it before it writes a change (lookups ignore it).
    CancellationPtr cancellation;
};

struct ActionResult {
    std::string outcome;                        // one of the ActionSpec's outcomes
    std::map<std::string, std::string> fields;  // e.g. attempts_left = "2"
};

// A synchronous performer (tests, the demo domain of `ussdgw menus try`).
class ActionPerformer {
  public:
    virtual ~ActionPerformer() = default;
    virtual ActionResult perform(const ActionRequest& request) = 0;
};

}  // namespace ussdgw::menus
