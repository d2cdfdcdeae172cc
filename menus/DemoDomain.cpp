#include "menus/DemoDomain.hpp"

#include <chrono>
#include <ctime>

namespace ussdgw::menus {

namespace {
ActionResult state_of(const DemoDomain::Subscriber& s) {
    if (s.access == "open") return {std::string(outcome::access_open), {}};
    return {"access.closed_by_" + s.access, {}};
}

std::string in_30_minutes() {
    auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                  std::chrono::minutes(30));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    return buf;
}
}  // namespace

DemoDomain::DemoDomain() {
    subscribers_["375290000001"] = {"demo-org", "administrator", "12345678", "open", false, 0, 0};
    subscribers_["375290000002"] = {"demo-org", "subscriber", "12345678", "open", false, 0, 0};
    subscribers_["375290000003"] = {"other-org", "subscriber", "12345678", "open", false, 0, 0};
}

DemoDomain::Subscriber& DemoDomain::subscriber(const std::string& msisdn) {
    auto it = subscribers_.find(msisdn);
    if (it == subscribers_.end()) it = subscribers_.emplace(msisdn, Subscriber{msisdn}).first;
    return it->second;
}

ActionResult DemoDomain::perform(const ActionRequest& r) {
    Subscriber& me = subscriber(r.msisdn);
    if (me.suspended) return {std::string(outcome::suspended), {}};
    switch (r.kind) {
        case ActionKind::issue_password:
            if (me.access != "open") return state_of(me);
            if (++me.passwords > 3)
                return {std::string(outcome::rate_limited), {{"retry_after", "24:00"}}};
            return {std::string(outcome::ok), {}};
        case ActionKind::access_state:
            return state_of(me);
        case ActionKind::close_access:
            if (me.access == "organisation" || me.access == "operator") return state_of(me);
            me.access = "subscriber";
            return {std::string(outcome::ok), {}};
        case ActionKind::open_access:
            if (me.access == "organisation" || me.access == "operator") return state_of(me);
            if (me.wrong_puk >= 3)
                return {std::string(outcome::puk_locked), {{"until", in_30_minutes()}}};
            if (r.puk.reveal() != me.puk) {
                if (++me.wrong_puk >= 3)
                    return {std::string(outcome::puk_locked), {{"until", in_30_minutes()}}};
                return {std::string(outcome::puk_wrong),
                        {{"attempts_left", std::to_string(3 - me.wrong_puk)}}};
            }
            me.wrong_puk = 0;
            me.access = "open";
            return {std::string(outcome::ok), {}};
        case ActionKind::managed_access_state:
        case ActionKind::managed_open_access:
        case ActionKind::managed_close_access: {
            if (me.role != "administrator" && me.role != "supervisor")
                return {std::string(outcome::not_manager), {}};
            auto it = subscribers_.find(r.target);
            if (it == subscribers_.end()) return {std::string(outcome::not_found), {}};
            Subscriber& t = it->second;
            if (t.client != me.client) return {std::string(outcome::not_same_client), {}};
            if (r.kind == ActionKind::managed_access_state) return state_of(t);
            if (t.access == "operator") return state_of(t);
            t.access = r.kind == ActionKind::managed_open_access ? "open" : "organisation";
            return {std::string(outcome::ok), {}};
        }
    }
    return {std::string(outcome::error), {}};
}

}  // namespace ussdgw::menus
