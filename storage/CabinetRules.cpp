#include "storage/CabinetRules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ussdgw::storage::rules {

Status check_role(ClientKind client, Role role) {
    if (role == Role::administrator && client != ClientKind::legal_entity)
        return fail(kRoleNeedsLegalEntity, "the administrator role is only for legal entities");
    return ok_status();
}

bool puk_login_allowed(const std::string& tariff_plan, bool enabled_individually,
                       const std::vector<std::string>& puk_login_plans) {
    if (enabled_individually) return true;
    return std::find(puk_login_plans.begin(), puk_login_plans.end(), tariff_plan) !=
           puk_login_plans.end();
}

const char* closed_code(ClosedBy kind) {
    switch (kind) {
        case ClosedBy::subscriber:
            return kClosedBySubscriber;
        case ClosedBy::organisation:
            return kClosedByOrganisation;
        case ClosedBy::operator_lost_sim:
            return kClosedLostSim;
        case ClosedBy::operator_restriction:
            return kClosedRestricted;
    }
    return kClosedRestricted;
}

int closing_strength(ClosedBy kind) {
    switch (kind) {
        case ClosedBy::subscriber:
            return 1;
        case ClosedBy::organisation:
            return 2;
        case ClosedBy::operator_lost_sim:
            return 3;
        case ClosedBy::operator_restriction:
            return 3;
    }
    return 3;
}

Status may_manage(const Party& manager, const Party& target) {
    if (manager.role != Role::administrator && manager.role != Role::supervisor)
        return fail(kRoleForbidden, "only administrators and supervisors manage access");
    if (manager.client_kind != ClientKind::legal_entity)
        return fail(kRoleNeedsLegalEntity, "access is managed only within a legal entity");
    if (manager.client_id != target.client_id)
        return fail(kRoleOtherClient, "the subscriber belongs to another client");
    if (manager.role == Role::supervisor && target.role == Role::administrator)
        return fail(kRoleForbidden, "a supervisor does not manage an administrator");
    return ok_status();
}

Status may_close(ActorKind actor, ClosedBy kind, ClientKind target_client,
                 const CabinetState& state) {
    bool allowed = false;
    switch (actor) {
        case ActorKind::subscriber:
            allowed = kind == ClosedBy::subscriber;
            break;
        case ActorKind::manager:
            allowed = kind == ClosedBy::organisation;
            break;
        case ActorKind::operator_staff:
            allowed = kind != ClosedBy::subscriber;
            break;
    }
    if (!allowed)
        return fail(kKindNotAllowed,
                    fmt::format("a {} cannot close access as '{}'", to_text(actor), to_text(kind)));
    if (kind == ClosedBy::organisation && target_client != ClientKind::legal_entity)
        return fail(kRoleNeedsLegalEntity, "only a legal entity's access is closed by request");
    if (!state.access_open && state.closed_by &&
        closing_strength(kind) <= closing_strength(*state.closed_by))
        return fail(kAlreadyClosed,
                    fmt::format("access is already closed ({})", to_text(*state.closed_by)));
    return ok_status();
}

Status may_open(ActorKind actor, const CabinetState& state) {
    if (state.access_open || !state.closed_by) return fail(kAlreadyOpen, "access is open");
    ClosedBy kind = *state.closed_by;
    switch (kind) {
        case ClosedBy::subscriber:
            return ok_status();
        case ClosedBy::organisation:
            if (actor == ActorKind::subscriber)
                return fail(kClosedByOrganisation, "closed at the organisation's request");
            return ok_status();
        case ClosedBy::operator_lost_sim:
        case ClosedBy::operator_restriction:
            if (actor != ActorKind::operator_staff)
                return fail(closed_code(kind), "closed by the operator");
            return ok_status();
    }
    return fail(kRoleForbidden);
}

Status may_request(ServiceState service) {
    if (service == ServiceState::suspended)
        return fail(kServiceSuspended, "requests are refused while service is suspended");
    return ok_status();
}

Status may_issue_password(ServiceState service, const CabinetState& state) {
    if (auto st = may_request(service); !st) return st;
    if (!state.access_open && state.closed_by)
        return fail(closed_code(*state.closed_by), "cabinet access is closed");
    return ok_status();
}

namespace {
Failure locked(const char* code, std::int64_t until_ms, std::int64_t now_ms) {
    Failure f =
        fail(code, fmt::format("locked for {} more seconds", (until_ms - now_ms + 999) / 1000));
    f.error.until_ms = until_ms;
    return f;
}
}  // namespace

Status check_lockout(const AttemptCounter& c, std::int64_t now_ms, const char* locked_code) {
    if (c.locked_until_ms > now_ms) return locked(locked_code, c.locked_until_ms, now_ms);
    return ok_status();
}

Failure wrong_entry(const AttemptCounter& next, std::int64_t now_ms, int max_wrong,
                    const char* wrong_code, const char* locked_code) {
    if (next.locked_until_ms > now_ms) return locked(locked_code, next.locked_until_ms, now_ms);
    int left = std::max(0, max_wrong - next.failures);
    Failure f = fail(wrong_code, fmt::format("{} tries left", left));
    f.error.attempts_left = left;
    return f;
}

AttemptCounter after_failure(const AttemptCounter& c, std::int64_t now_ms, int max_wrong,
                             std::int64_t lockout_ms) {
    AttemptCounter n = c;
    if (n.locked_until_ms != 0 && n.locked_until_ms <= now_ms) n = {};
    n.failures += 1;
    if (n.failures >= max_wrong) n.locked_until_ms = now_ms + lockout_ms;
    return n;
}

Status check_sms_rate(int sent_last_hour, int sent_last_day, int per_hour, int per_day) {
    if (sent_last_hour >= per_hour)
        return fail(kSmsRateLimited, fmt::format("at most {} password SMS per hour", per_hour));
    if (sent_last_day >= per_day)
        return fail(kSmsRateLimited, fmt::format("at most {} password SMS per day", per_day));
    return ok_status();
}

}  // namespace ussdgw::storage::rules
