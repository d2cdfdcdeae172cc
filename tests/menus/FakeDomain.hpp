// A test double for the storage domain: subscribers in a map instead of SQLite, but the
// decisions are storage's own: the rules of SPEC section 2 come from storage/CabinetRules
// (suspended service, who closed access and who may reopen it, manager roles, PUK1 counting
// with a lockout, the password rate limit), and their answers become menu outcomes through
// the cabinet bridge's mapping, as with the real domain. Keeps a log of every request.
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "engine/cabinet/CabinetBridge.hpp"
#include "menus/DomainAction.hpp"
#include "storage/CabinetRules.hpp"

namespace ussdgw::menus::test {

class FakeDomain : public ActionPerformer {
  public:
    struct Subscriber {
        std::string client = "individual";  // the client id; "individual" or a legal entity
        std::string role = "subscriber";    // subscriber, supervisor, administrator
        std::string puk = "12345678";
        std::string access = "open";  // open or who closed it: subscriber, organisation, operator
        bool suspended = false;
        int wrong_puk = 0;  // kPukAttempts or more: locked for an hour from now_ms()
        int passwords = 0;  // issued today
    };
    static constexpr int kPukAttempts = 3;
    static constexpr int kPasswordsPerDay = 3;
    static constexpr std::int64_t kPukLockoutMs = 3600 * 1000;

    std::map<std::string, Subscriber> subscribers;
    std::vector<ActionRequest> performed;  // copies (the PUK kept to check what was sent)
    std::string fail_with;                 // when set, every action answers this outcome

    Subscriber& add(const std::string& msisdn, Subscriber s) {
        return subscribers[msisdn] = std::move(s);
    }
    Subscriber& add(const std::string& msisdn) { return add(msisdn, Subscriber()); }

    // The fake's clock: 2026-11-24 22:30 local time, so that a PUK1 lockout shows as
    // "2026-11-24 23:30" (formatted by the bridge, as for the real domain).
    static std::int64_t now_ms() {
        std::tm tm{};
        tm.tm_year = 2026 - 1900;
        tm.tm_mon = 10;
        tm.tm_mday = 24;
        tm.tm_hour = 22;
        tm.tm_min = 30;
        tm.tm_isdst = -1;
        return static_cast<std::int64_t>(std::mktime(&tm)) * 1000;
    }

    ActionResult perform(const ActionRequest& r) override {
        namespace rules = storage::rules;
        performed.push_back(r);
        if (!fail_with.empty()) return {fail_with, {}};
        auto it = subscribers.find(r.msisdn);
        if (it == subscribers.end()) return cabinet::access_result(fail(rules::kNotFound));
        Subscriber& me = it->second;
        switch (r.kind) {
            case ActionKind::issue_password: {
                Status st = rules::may_issue_password(service(me), cabinet(me));
                if (st)
                    st = rules::check_sms_rate(me.passwords, me.passwords, kPasswordsPerDay,
                                               kPasswordsPerDay);
                if (st) ++me.passwords;
                return cabinet::change_result(r.kind, st);
            }
            case ActionKind::access_state: {
                if (auto st = rules::may_request(service(me)); !st)
                    return cabinet::access_result(Failure{st.error()});
                return cabinet::access_result(cabinet(me));
            }
            case ActionKind::close_access:
                return cabinet::change_result(r.kind, close_own(me));
            case ActionKind::open_access:
                return cabinet::change_result(r.kind, open_own(me, r.puk));
            case ActionKind::managed_access_state:
            case ActionKind::managed_open_access:
            case ActionKind::managed_close_access:
                return managed(me, r);
        }
        return {"error", {}};
    }

  private:
    static storage::ServiceState service(const Subscriber& s) {
        return s.suspended ? storage::ServiceState::suspended : storage::ServiceState::active;
    }
    static storage::CabinetState cabinet(const Subscriber& s) {
        storage::CabinetState c;
        c.access_open = s.access == "open";
        if (s.access == "subscriber") c.closed_by = storage::ClosedBy::subscriber;
        if (s.access == "organisation") c.closed_by = storage::ClosedBy::organisation;
        if (s.access == "operator") c.closed_by = storage::ClosedBy::operator_restriction;
        c.puk_failures = s.wrong_puk;
        c.puk_locked_until_ms = s.wrong_puk >= kPukAttempts ? now_ms() + kPukLockoutMs : 0;
        return c;
    }
    static storage::rules::Party party(const Subscriber& s) {
        auto role = storage::role_from_text(s.role).value_or(storage::Role::subscriber);
        return {s.client,
                s.client == "individual" ? storage::ClientKind::individual
                                         : storage::ClientKind::legal_entity,
                role};
    }

    static Status close_own(Subscriber& me) {
        namespace rules = storage::rules;
        if (auto st = rules::may_request(service(me)); !st) return st;
        if (auto st =
                rules::may_close(storage::ActorKind::subscriber, storage::ClosedBy::subscriber,
                                 party(me).client_kind, cabinet(me));
            !st)
            return st;
        me.access = "subscriber";
        return ok_status();
    }

    static Status open_own(Subscriber& me, const Secret& puk) {
        namespace rules = storage::rules;
        if (auto st = rules::may_request(service(me)); !st) return st;
        storage::CabinetState c = cabinet(me);
        if (auto st = rules::may_open(storage::ActorKind::subscriber, c); !st) return st;
        rules::AttemptCounter counter{c.puk_failures, c.puk_locked_until_ms};
        if (auto st = rules::check_lockout(counter, now_ms(), rules::kPukLocked); !st) return st;
        if (puk.reveal() != me.puk) {
            auto next = rules::after_failure(counter, now_ms(), kPukAttempts, kPukLockoutMs);
            me.wrong_puk = next.failures;
            return rules::wrong_entry(next, now_ms(), kPukAttempts, rules::kPukWrong,
                                      rules::kPukLocked);
        }
        me.wrong_puk = 0;
        me.access = "open";
        return ok_status();
    }

    ActionResult managed(Subscriber& me, const ActionRequest& r) {
        namespace rules = storage::rules;
        auto refused = [&r](const Error& e) {
            return r.kind == ActionKind::managed_access_state
                       ? cabinet::access_result(Failure{e})
                       : cabinet::change_result(r.kind, Failure{e});
        };
        if (auto st = rules::may_request(service(me)); !st) return refused(st.error());
        auto t = subscribers.find(r.target);
        if (t == subscribers.end()) return refused(Error{rules::kNotFound, {}});
        Subscriber& target = t->second;
        if (auto st = rules::may_manage(party(me), party(target)); !st) return refused(st.error());
        if (r.kind == ActionKind::managed_access_state)
            return cabinet::access_result(cabinet(target));
        Status st = ok_status();
        if (r.kind == ActionKind::managed_open_access) {
            st = rules::may_open(storage::ActorKind::manager, cabinet(target));
            if (st) target.access = "open";
        } else {
            st = rules::may_close(storage::ActorKind::manager, storage::ClosedBy::organisation,
                                  party(target).client_kind, cabinet(target));
            if (st) target.access = "organisation";
        }
        return cabinet::change_result(r.kind, st);
    }
};

}  // namespace ussdgw::menus::test
