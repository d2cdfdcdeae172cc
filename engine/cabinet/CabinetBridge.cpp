#include "engine/cabinet/CabinetBridge.hpp"

#include <fmt/format.h>

#include <ctime>

#include "storage/CabinetRules.hpp"

namespace ussdgw::cabinet {

namespace o = menus::outcome;
namespace r = storage::rules;

std::string outcome_for(const Error& e) {
    const std::string& c = e.code;
    if (c == r::kNotFound) return std::string(o::not_found);
    if (c == r::kServiceSuspended) return std::string(o::suspended);
    if (c == r::kClosedBySubscriber) return std::string(o::closed_by_subscriber);
    if (c == r::kClosedByOrganisation) return std::string(o::closed_by_organisation);
    if (c == r::kClosedLostSim || c == r::kClosedRestricted)
        return std::string(o::closed_by_operator);
    if (c == r::kPukWrong) return std::string(o::puk_wrong);
    if (c == r::kPukLocked) return std::string(o::puk_locked);
    if (c == r::kSmsRateLimited) return std::string(o::rate_limited);
    if (c == r::kRoleForbidden) return std::string(o::not_manager);
    if (c == r::kRoleOtherClient) return std::string(o::not_same_client);
    if (c == r::kAnnulled) return std::string(o::annulled);
    // A subscriber with no PUK1 on file cannot prove it: treated as a wrong entry is
    // misleading, so it is a service error the menus explain generically.
    return std::string(o::error);
}

std::string outcome_for(const storage::CabinetState& s) {
    if (s.access_open || !s.closed_by) return std::string(o::access_open);
    return outcome_for(Error{r::closed_code(*s.closed_by), {}});
}

std::string screen_time(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min);
}

namespace {

menus::ActionResult refusal(const Error& e) {
    menus::ActionResult out{outcome_for(e), {}};
    if (e.attempts_left) out.fields["attempts_left"] = std::to_string(*e.attempts_left);
    if (e.until_ms) out.fields["until"] = screen_time(*e.until_ms);
    return out;
}

bool already_as_wanted(menus::ActionKind kind, const Error& e) {
    using K = menus::ActionKind;
    bool closing = kind == K::close_access || kind == K::managed_close_access;
    bool opening = kind == K::open_access || kind == K::managed_open_access;
    return (closing && e.code == r::kAlreadyClosed) || (opening && e.code == r::kAlreadyOpen);
}

template <typename T>
Status as_status(const Result<T>& r) {
    if (r) return ok_status();
    return Failure{r.error()};
}

}  // namespace

menus::ActionResult access_result(const Result<storage::CabinetState>& looked_up) {
    if (!looked_up) return refusal(looked_up.error());
    return {outcome_for(*looked_up), {}};
}

menus::ActionResult change_result(menus::ActionKind kind, const Status& changed) {
    if (changed || already_as_wanted(kind, changed.error())) return {std::string(o::ok), {}};
    return refusal(changed.error());
}

void CabinetBridge::perform(const menus::ActionRequest& req, Done done) {
    using K = menus::ActionKind;
    auto msisdn = storage::Msisdn::parse(req.msisdn);
    if (!msisdn) {
        done({std::string(o::not_found), {}});
        return;
    }
    const CancellationPtr& cancellation = req.cancellation;
    auto changed = [done, kind = req.kind](Status st) { done(change_result(kind, st)); };
    auto looked_up = [done](Result<storage::CabinetState> r) { done(access_result(r)); };
    switch (req.kind) {
        case K::issue_password:
            cabinet_.issue_password(
                *msisdn, channel_,
                [changed](Result<storage::PasswordIssued> r) { changed(as_status(r)); },
                cancellation);
            return;
        case K::access_state:
            cabinet_.own_access(*msisdn, looked_up);
            return;
        case K::close_access:
            cabinet_.close_own_access(*msisdn, channel_, changed, cancellation);
            return;
        case K::open_access:
            cabinet_.open_own_access(*msisdn, req.puk, channel_, changed, cancellation);
            return;
        case K::managed_access_state:
        case K::managed_open_access:
        case K::managed_close_access: {
            auto target = storage::Msisdn::parse(req.target);
            if (!target) {
                done({std::string(o::not_found), {}});
                return;
            }
            if (req.kind == K::managed_access_state)
                cabinet_.managed_access(*msisdn, *target, looked_up);
            else
                cabinet_.manager_set_access(*msisdn, *target, req.kind == K::managed_open_access,
                                            channel_, changed, cancellation);
            return;
        }
    }
    done({std::string(o::error), {}});
}

}  // namespace ussdgw::cabinet
