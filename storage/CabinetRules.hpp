// The subscriber rules of SPEC section 2 that storage enforces, as pure functions over
// plain values (no database, no clock): who may close cabinet access and with which kind
// of closing, who may reopen it after each kind, role constraints, PUK1-login eligibility,
// wrong-attempt lockout arithmetic and the password-SMS rate limit. Every refusal is an
// Error with a stable code that the menus and the HTTP API map to texts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Result.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage::rules {

// Stable error codes.
inline constexpr const char* kNotFound = "not_found";
inline constexpr const char* kServiceSuspended = "service.suspended";
inline constexpr const char* kAlreadyOpen = "access.already_open";
inline constexpr const char* kAlreadyClosed = "access.already_closed";
inline constexpr const char* kClosedBySubscriber = "access.closed_by_subscriber";
inline constexpr const char* kClosedByOrganisation = "access.closed_by_organisation";
inline constexpr const char* kClosedLostSim = "access.closed_lost_sim";
inline constexpr const char* kClosedRestricted = "access.closed_restricted";
inline constexpr const char* kPukLocked = "puk.locked";
inline constexpr const char* kPukWrong = "puk.wrong";
inline constexpr const char* kPukNotSet = "puk.not_set";
inline constexpr const char* kPasswordLocked = "password.locked";
inline constexpr const char* kPasswordWrong = "password.wrong";
inline constexpr const char* kPasswordNotSet = "password.not_set";
inline constexpr const char* kPukLoginNotAllowed = "puk.login_not_allowed";
inline constexpr const char* kSmsRateLimited = "sms.rate_limited";
inline constexpr const char* kRoleForbidden = "role.forbidden";
inline constexpr const char* kRoleOtherClient = "role.other_client";
inline constexpr const char* kRoleNeedsLegalEntity = "role.needs_legal_entity";
inline constexpr const char* kKindNotAllowed = "access.kind_not_allowed";
// The caller gave up (the USSD dialogue timed out or was released) before the change was
// written: nothing was written.
inline constexpr const char* kAnnulled = kAnnulledCode;

// The administrator role exists only for legal entities (SPEC 2.5).
Status check_role(ClientKind client, Role role);

// PUK1 may be used as a password by tariff plan or when enabled individually (SPEC 2.3).
bool puk_login_allowed(const std::string& tariff_plan, bool enabled_individually,
                       const std::vector<std::string>& puk_login_plans);

// The code that explains why access is closed, e.g. "access.closed_by_organisation".
const char* closed_code(ClosedBy kind);

// How strong a closing is: a stronger closing replaces a weaker one, never the reverse.
int closing_strength(ClosedBy kind);

// Who is acting on whose access: the manager checks of SPEC 2.5. `actor` and `target`
// are the same subscriber when a subscriber acts on its own number.
struct Party {
    std::string client_id;
    ClientKind client_kind = ClientKind::individual;
    Role role = Role::subscriber;
};
// An administrator or supervisor of the same legal-entity client; a supervisor may not
// manage an administrator.
Status may_manage(const Party& manager, const Party& target);

// The kind of closing each actor may record: the subscriber closes as "subscriber", a
// manager as "organisation", the operator for a lost SIM, a restriction, or at the
// organisation's request (legal entities only).
Status may_close(ActorKind actor, ClosedBy kind, ClientKind target_client,
                 const CabinetState& state);

// Who may reopen after each kind of closing (SPEC 2.4-2.6). A subscriber reopening its own
// access must in addition prove the PUK1 (checked by the caller).
Status may_open(ActorKind actor, const CabinetState& state);

// What a subscriber asks about its cabinet (a password, its access state, closing or
// reopening, managing its client's subscribers) is refused with "service.suspended" while
// its service is suspended (SPEC 2.9). The operator's staff are never refused for it.
Status may_request(ServiceState service);

// A new password is issued only with active service and open access (SPEC 2.2, 2.9).
Status may_issue_password(ServiceState service, const CabinetState& state);

// Wrong-attempt counting with a lockout window (PUK1 and password alike).
struct AttemptCounter {
    int failures = 0;
    std::int64_t locked_until_ms = 0;
    friend bool operator==(const AttemptCounter&, const AttemptCounter&) = default;
};
// The PUK1 and the password counters of a cabinet.
inline AttemptCounter puk_counter(const CabinetState& c) {
    return {c.puk_failures, c.puk_locked_until_ms};
}
inline AttemptCounter password_counter(const CabinetState& c) {
    return {c.password_failures, c.password_locked_until_ms};
}
// Refuses with `locked_code` (and the lockout's end in `until_ms`) while the lockout window
// is running.
Status check_lockout(const AttemptCounter& c, std::int64_t now_ms, const char* locked_code);
// The counter after one more wrong attempt: an expired lockout starts a fresh count;
// reaching `max_wrong` starts a lockout of `lockout_ms`.
AttemptCounter after_failure(const AttemptCounter& c, std::int64_t now_ms, int max_wrong,
                             std::int64_t lockout_ms);
inline AttemptCounter after_success() {
    return {};
}
// The refusal of a wrong entry once it is counted (`next` from after_failure): `locked_code`
// with `until_ms` when it started a lockout, else `wrong_code` with `attempts_left`.
Failure wrong_entry(const AttemptCounter& next, std::int64_t now_ms, int max_wrong,
                    const char* wrong_code, const char* locked_code);

// Password SMS per subscriber: at most `per_hour` in the last hour, `per_day` in the last day.
Status check_sms_rate(int sent_last_hour, int sent_last_day, int per_hour, int per_day);

}  // namespace ussdgw::storage::rules
