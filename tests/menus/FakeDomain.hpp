// A test double for the storage domain: subscribers in a map, the rules of SPEC section 2
// (roles, clients, who closed access, PUK1 counting with a lockout, a password rate limit,
// suspended service), and a log of every request performed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "menus/DomainAction.hpp"

namespace ussdgw::menus::test {

class FakeDomain : public ActionPerformer {
  public:
    struct Subscriber {
        std::string client = "individual";
        std::string role = "subscriber";  // subscriber, supervisor, administrator
        std::string puk = "12345678";
        std::string access = "open";  // open or who closed it: subscriber, organisation, operator
        bool suspended = false;
        int wrong_puk = 0;
        int passwords = 0;
    };
    static constexpr int kPukAttempts = 3;
    static constexpr int kPasswordsPerDay = 3;

    std::map<std::string, Subscriber> subscribers;
    std::vector<ActionRequest> performed;  // copies (the PUK kept to check what was sent)
    std::string fail_with;                 // when set, every action answers this outcome

    Subscriber& add(const std::string& msisdn, Subscriber s) {
        return subscribers[msisdn] = std::move(s);
    }
    Subscriber& add(const std::string& msisdn) { return add(msisdn, Subscriber()); }

    ActionResult perform(const ActionRequest& r) override {
        performed.push_back(r);
        if (!fail_with.empty()) return {fail_with, {}};
        auto it = subscribers.find(r.msisdn);
        if (it == subscribers.end()) return {"not_found", {}};
        Subscriber& me = it->second;
        if (me.suspended) return {"service.suspended", {}};
        switch (r.kind) {
            case ActionKind::issue_password:
                if (me.access != "open") return state(me);
                if (me.passwords >= kPasswordsPerDay)
                    return {"sms.rate_limited", {{"retry_after", "2026-11-25 00:00"}}};
                ++me.passwords;
                return {"ok", {}};
            case ActionKind::access_state:
                return state(me);
            case ActionKind::close_access:
                if (me.access == "organisation" || me.access == "operator") return state(me);
                me.access = "subscriber";
                return {"ok", {}};
            case ActionKind::open_access:
                if (me.access == "organisation" || me.access == "operator") return state(me);
                if (me.wrong_puk >= kPukAttempts)
                    return {"puk.locked", {{"until", "2026-11-24 23:30"}}};
                if (r.puk.reveal() != me.puk) {
                    if (++me.wrong_puk >= kPukAttempts)
                        return {"puk.locked", {{"until", "2026-11-24 23:30"}}};
                    return {"puk.wrong",
                            {{"attempts_left", std::to_string(kPukAttempts - me.wrong_puk)}}};
                }
                me.wrong_puk = 0;
                me.access = "open";
                return {"ok", {}};
            case ActionKind::managed_access_state:
            case ActionKind::managed_open_access:
            case ActionKind::managed_close_access: {
                if (me.role != "administrator" && me.role != "supervisor")
                    return {"not_manager", {}};
                auto t = subscribers.find(r.target);
                if (t == subscribers.end()) return {"not_found", {}};
                if (t->second.client != me.client) return {"not_same_client", {}};
                if (r.kind == ActionKind::managed_access_state) return state(t->second);
                if (t->second.access == "operator") return state(t->second);
                t->second.access =
                    r.kind == ActionKind::managed_open_access ? "open" : "organisation";
                return {"ok", {}};
            }
        }
        return {"error", {}};
    }

  private:
    static ActionResult state(const Subscriber& s) {
        if (s.access == "open") return {"access.open", {}};
        return {"access.closed_by_" + s.access, {}};
    }
};

}  // namespace ussdgw::menus::test
