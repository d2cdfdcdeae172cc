// The pure rules of SPEC section 2 (storage/CabinetRules).
#include "storage/CabinetRules.hpp"

#include <doctest/doctest.h>

namespace cabinet_rules_test {

using namespace ussdgw::storage;
namespace r = ussdgw::storage::rules;

namespace {
CabinetState closed(ClosedBy by) {
    CabinetState s;
    s.access_open = false;
    s.closed_by = by;
    return s;
}
std::string code(const ussdgw::Status& s) {
    return s ? "ok" : s.error().code;
}
}  // namespace

TEST_CASE("administrator role exists only for legal entities") {
    CHECK(code(r::check_role(ClientKind::legal_entity, Role::administrator)) == "ok");
    CHECK(code(r::check_role(ClientKind::individual, Role::administrator)) ==
          "role.needs_legal_entity");
    CHECK(code(r::check_role(ClientKind::individual, Role::subscriber)) == "ok");
    CHECK(code(r::check_role(ClientKind::individual, Role::supervisor)) == "ok");
}

TEST_CASE("who may reopen access after each kind of closing") {
    using A = ActorKind;
    // closed by the subscriber: the subscriber (with PUK1), a manager and the operator
    CHECK(code(r::may_open(A::subscriber, closed(ClosedBy::subscriber))) == "ok");
    CHECK(code(r::may_open(A::manager, closed(ClosedBy::subscriber))) == "ok");
    CHECK(code(r::may_open(A::operator_staff, closed(ClosedBy::subscriber))) == "ok");
    // at the organisation's request: not the subscriber
    CHECK(code(r::may_open(A::subscriber, closed(ClosedBy::organisation))) ==
          "access.closed_by_organisation");
    CHECK(code(r::may_open(A::manager, closed(ClosedBy::organisation))) == "ok");
    CHECK(code(r::may_open(A::operator_staff, closed(ClosedBy::organisation))) == "ok");
    // lost SIM and restriction: only the operator
    CHECK(code(r::may_open(A::subscriber, closed(ClosedBy::operator_lost_sim))) ==
          "access.closed_lost_sim");
    CHECK(code(r::may_open(A::manager, closed(ClosedBy::operator_lost_sim))) ==
          "access.closed_lost_sim");
    CHECK(code(r::may_open(A::operator_staff, closed(ClosedBy::operator_lost_sim))) == "ok");
    CHECK(code(r::may_open(A::subscriber, closed(ClosedBy::operator_restriction))) ==
          "access.closed_restricted");
    CHECK(code(r::may_open(A::manager, closed(ClosedBy::operator_restriction))) ==
          "access.closed_restricted");
    CHECK(code(r::may_open(A::operator_staff, closed(ClosedBy::operator_restriction))) == "ok");
    // open access cannot be opened again
    CHECK(code(r::may_open(A::operator_staff, CabinetState{})) == "access.already_open");
}

TEST_CASE("who may close access, and a stronger closing replaces a weaker one") {
    using A = ActorKind;
    CabinetState open;
    CHECK(code(r::may_close(A::subscriber, ClosedBy::subscriber, ClientKind::individual, open)) ==
          "ok");
    CHECK(code(r::may_close(A::subscriber, ClosedBy::organisation, ClientKind::legal_entity,
                            open)) == "access.kind_not_allowed");
    CHECK(code(r::may_close(A::manager, ClosedBy::organisation, ClientKind::legal_entity, open)) ==
          "ok");
    CHECK(code(r::may_close(A::manager, ClosedBy::operator_lost_sim, ClientKind::legal_entity,
                            open)) == "access.kind_not_allowed");
    CHECK(code(r::may_close(A::operator_staff, ClosedBy::operator_lost_sim, ClientKind::individual,
                            open)) == "ok");
    CHECK(code(r::may_close(A::operator_staff, ClosedBy::organisation, ClientKind::individual,
                            open)) == "role.needs_legal_entity");
    CHECK(code(r::may_close(A::operator_staff, ClosedBy::subscriber, ClientKind::individual,
                            open)) == "access.kind_not_allowed");
    // already closed by the subscriber: the operator's closing takes over
    CHECK(code(r::may_close(A::operator_staff, ClosedBy::operator_lost_sim, ClientKind::individual,
                            closed(ClosedBy::subscriber))) == "ok");
    CHECK(code(r::may_close(A::subscriber, ClosedBy::subscriber, ClientKind::individual,
                            closed(ClosedBy::subscriber))) == "access.already_closed");
    // never weakened: a subscriber "closing" after the operator changes nothing
    CHECK(code(r::may_close(A::subscriber, ClosedBy::subscriber, ClientKind::individual,
                            closed(ClosedBy::operator_restriction))) == "access.already_closed");
    CHECK(code(r::may_close(A::manager, ClosedBy::organisation, ClientKind::legal_entity,
                            closed(ClosedBy::operator_lost_sim))) == "access.already_closed");
}

TEST_CASE("managers manage their own legal entity's subscribers") {
    r::Party admin{"L1", ClientKind::legal_entity, Role::administrator};
    r::Party sup{"L1", ClientKind::legal_entity, Role::supervisor};
    r::Party sub{"L1", ClientKind::legal_entity, Role::subscriber};
    r::Party other{"L2", ClientKind::legal_entity, Role::subscriber};
    r::Party person{"P1", ClientKind::individual, Role::supervisor};
    CHECK(code(r::may_manage(admin, sub)) == "ok");
    CHECK(code(r::may_manage(admin, sup)) == "ok");
    CHECK(code(r::may_manage(sup, sub)) == "ok");
    CHECK(code(r::may_manage(sup, admin)) == "role.forbidden");
    CHECK(code(r::may_manage(sub, sub)) == "role.forbidden");
    CHECK(code(r::may_manage(admin, other)) == "role.other_client");
    CHECK(code(r::may_manage(person, person)) == "role.needs_legal_entity");
}

TEST_CASE("PUK1 login by tariff plan or individually") {
    std::vector<std::string> plans{"Видеонаблюдение", "Спутниковый мониторинг"};
    CHECK(r::puk_login_allowed("Видеонаблюдение", false, plans));
    CHECK(r::puk_login_allowed("Комфорт", true, plans));
    CHECK_FALSE(r::puk_login_allowed("Комфорт", false, plans));
}

TEST_CASE("wrong-attempt lockout arithmetic") {
    const std::int64_t t0 = 1000000, lock = 60000;
    r::AttemptCounter c;
    CHECK(code(r::check_lockout(c, t0, r::kPukLocked)) == "ok");
    c = r::after_failure(c, t0, 3, lock);
    c = r::after_failure(c, t0 + 1, 3, lock);
    CHECK(c.failures == 2);
    CHECK(c.locked_until_ms == 0);
    c = r::after_failure(c, t0 + 2, 3, lock);
    CHECK(c.locked_until_ms == t0 + 2 + lock);
    CHECK(code(r::check_lockout(c, t0 + 3, r::kPukLocked)) == "puk.locked");
    CHECK(code(r::check_lockout(c, t0 + 2 + lock, r::kPukLocked)) == "ok");
    // after the window a wrong entry starts a fresh count
    auto d = r::after_failure(c, t0 + 2 + lock, 3, lock);
    CHECK(d.failures == 1);
    CHECK(d.locked_until_ms == 0);
    CHECK(r::after_success() == r::AttemptCounter{});
}

TEST_CASE("password SMS rate limit") {
    CHECK(code(r::check_sms_rate(2, 9, 3, 10)) == "ok");
    CHECK(code(r::check_sms_rate(3, 3, 3, 10)) == "sms.rate_limited");
    CHECK(code(r::check_sms_rate(0, 10, 3, 10)) == "sms.rate_limited");
}

TEST_CASE("a password is issued only with active service and open access") {
    CHECK(code(r::may_issue_password(ServiceState::active, CabinetState{})) == "ok");
    CHECK(code(r::may_issue_password(ServiceState::suspended, CabinetState{})) ==
          "service.suspended");
    CHECK(code(r::may_issue_password(ServiceState::active, closed(ClosedBy::organisation))) ==
          "access.closed_by_organisation");
}

}  // namespace cabinet_rules_test
