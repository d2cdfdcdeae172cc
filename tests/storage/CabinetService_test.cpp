// CabinetService against a real SQLite file: the rules of SPEC section 2 as the menus and
// the HTTP API will exercise them, with audit entries and outbox messages.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>

#include "StorageTestSupport.hpp"
#include "storage/WebCabinet.hpp"

namespace cabinet_service_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

using Fixture = CabinetFixture;

TEST_CASE("requests are refused while service is suspended; unknown numbers are not_found") {
    Fixture f;
    CHECK(f.issue("375291000004") == "service.suspended");
    CHECK(f.issue("375299999999") == "not_found");
    CHECK(f.close_own("375299999999") == "not_found");
}

TEST_CASE("a suspended subscriber can neither see nor change its access (SPEC 2.9)") {
    Fixture f;
    CHECK(f.close_own("375291000004") == "service.suspended");
    auto seen = wait_for<CabinetState>(
        [&](auto done) { f.cab().own_access(msisdn("375291000004"), done); });
    REQUIRE_FALSE(seen.ok());
    CHECK(seen.error().code == "service.suspended");
    CHECK(f.record("375291000004").cabinet.access_open);
    CHECK(f.audit("375291000004").empty());
    // An active subscriber sees its state.
    auto mine = wait_for<CabinetState>(
        [&](auto done) { f.cab().own_access(msisdn("375291000001"), done); });
    REQUIRE(mine.ok());
    CHECK(mine->access_open);
    // The operator is not refused: suspension stops the subscriber's requests only.
    CHECK(f.op_close("375291000004", ClosedBy::operator_restriction) == "ok");
    CHECK(f.open_own("375291000004", "44444444") == "service.suspended");
}

TEST_CASE("refusals carry the tries left and the end of a lockout as data") {
    Fixture f;
    CHECK(f.close_own("375291000001") == "ok");
    auto open = [&](const char* puk) {
        return wait_for<Ok>([&](auto done) {
            f.cab().open_own_access(msisdn("375291000001"), Secret(puk), Channel::ussd, done);
        });
    };
    auto first = open("00000001");
    REQUIRE_FALSE(first.ok());
    CHECK(first.error().attempts_left == 2);
    CHECK_FALSE(first.error().until_ms);
    CHECK(open("00000002").error().attempts_left == 1);
    auto locked = open("00000003");
    CHECK(locked.error().code == "puk.locked");
    CHECK(locked.error().until_ms == f.clock.now->load() + 3600 * 1000);
    CHECK(open("11111111").error().until_ms == f.clock.now->load() + 3600 * 1000);
}

TEST_CASE("subscriber closes without a code and reopens only with the right PUK1") {
    Fixture f;
    CHECK(f.close_own("375291000001") == "ok");
    auto rec = f.record("375291000001");
    CHECK_FALSE(rec.cabinet.access_open);
    CHECK(rec.cabinet.closed_by == ClosedBy::subscriber);
    CHECK(f.issue("375291000001") == "access.closed_by_subscriber");
    CHECK(f.close_own("375291000001") == "access.already_closed");
    CHECK(f.open_own("375291000001", "11111112") == "puk.wrong");
    CHECK(f.open_own("375291000001", "33333333") == "puk.wrong");  // another SIM's PUK1
    CHECK(f.open_own("375291000001", "11111111") == "ok");
    CHECK(f.record("375291000001").cabinet.access_open);
    CHECK(f.record("375291000001").cabinet.puk_failures == 0);
    auto log = f.audit("375291000001");
    REQUIRE(log.size() == 4);
    CHECK(log[0].action == "access.opened");
    CHECK(log[1].action == "puk.wrong");
    CHECK(log[3].action == "access.closed");
    CHECK(log[3].actor.kind == ActorKind::subscriber);
}

TEST_CASE("wrong PUK1 entries lock further tries for a while") {
    Fixture f;
    CHECK(f.close_own("375291000001") == "ok");
    CHECK(f.open_own("375291000001", "00000001") == "puk.wrong");
    CHECK(f.open_own("375291000001", "00000002") == "puk.wrong");
    CHECK(f.open_own("375291000001", "00000003") == "puk.locked");
    // even the right PUK1 is refused during the lockout, and not counted
    CHECK(f.open_own("375291000001", "11111111") == "puk.locked");
    f.clock.advance(std::chrono::minutes(59));
    CHECK(f.open_own("375291000001", "11111111") == "puk.locked");
    f.clock.advance(std::chrono::minutes(2));
    CHECK(f.open_own("375291000001", "11111111") == "ok");
    // verify_puk alone counts too
    auto r = wait_for<Ok>([&](auto done) {
        f.cab().verify_puk(msisdn("375291000001"), Secret("99999999"), Channel::ussd, done);
    });
    CHECK(r.error().code == "puk.wrong");
    CHECK(f.record("375291000001").cabinet.puk_failures == 1);
}

TEST_CASE("closing at the organisation's request: the subscriber cannot reopen, a manager can") {
    Fixture f;
    CHECK(f.manager("375292000001", "375292000003", false) == "ok");
    auto rec = f.record("375292000003");
    CHECK(rec.cabinet.closed_by == ClosedBy::organisation);
    CHECK(f.open_own("375292000003", "55555553") == "access.closed_by_organisation");
    CHECK(f.record("375292000003").cabinet.puk_failures == 0);  // no PUK1 attempt consumed
    CHECK(f.issue("375292000003") == "access.closed_by_organisation");
    CHECK(f.manager("375292000002", "375292000003", true) == "ok");  // supervisor reopens
    CHECK(f.record("375292000003").cabinet.access_open);
    auto log = f.audit("375292000003");
    REQUIRE(log.size() == 2);
    CHECK(log[0].actor.kind == ActorKind::manager);
    CHECK(log[0].actor.id == "375292000002");
    CHECK(log[0].channel == Channel::http);
}

TEST_CASE("managers act only within their own client and role") {
    Fixture f;
    CHECK(f.manager("375292000003", "375292000002", false) == "role.forbidden");  // subscriber
    CHECK(f.manager("375292000002", "375292000004", false) == "role.forbidden");  // sup -> admin
    CHECK(f.manager("375292000001", "375293000001", false) == "role.other_client");
    CHECK(f.manager("375293000002", "375292000003", false) == "role.other_client");
    CHECK(f.manager("375292000001", "375292000004", false) == "ok");  // admin -> admin
    CHECK(f.manager("375291000001", "375291000001", false) == "role.forbidden");
}

TEST_CASE("lost SIM and restriction: neither subscriber nor manager can undo, the operator can") {
    Fixture f;
    CHECK(f.op_close("375292000003", ClosedBy::operator_lost_sim) == "ok");
    CHECK(f.open_own("375292000003", "55555553") == "access.closed_lost_sim");
    CHECK(f.manager("375292000001", "375292000003", true) == "access.closed_lost_sim");
    CHECK(f.op_open("375292000003") == "ok");
    CHECK(f.op_close("375291000001", ClosedBy::operator_restriction) == "ok");
    CHECK(f.open_own("375291000001", "11111111") == "access.closed_restricted");
    CHECK(f.close_own("375291000001") == "access.already_closed");
    CHECK(f.record("375291000001").cabinet.closed_by == ClosedBy::operator_restriction);
    CHECK(f.op_open("375291000001") == "ok");
    CHECK(f.op_open("375291000001") == "access.already_open");
    CHECK(f.op_close("375291000001", ClosedBy::organisation) == "role.needs_legal_entity");
    auto log = f.audit("375291000001");
    REQUIRE(log.size() == 2);
    CHECK(log[1].actor.kind == ActorKind::operator_staff);
    CHECK(log[1].actor.id == "staff1");
    CHECK(log[1].channel == Channel::cli);
    CHECK(log[1].detail == "by=operator_restriction");
}

TEST_CASE("an operator closing replaces a subscriber closing") {
    Fixture f;
    CHECK(f.close_own("375291000001") == "ok");
    CHECK(f.op_close("375291000001", ClosedBy::operator_lost_sim) == "ok");
    CHECK(f.open_own("375291000001", "11111111") == "access.closed_lost_sim");
}

TEST_CASE("login with PUK1 only where allowed; wrong passwords lock") {
    Fixture f;
    CHECK(f.login("375291000002", "22222222", true) == "puk");  // Видеонаблюдение plan
    CHECK(f.login("375291000003", "33333333", true) == "puk");  // enabled individually
    // (Without a password the login is simply wrong: WebCabinet_test.)
    CHECK(f.issue("375291000001") == "ok");
    std::string pw = f.password_from_outbox();
    CHECK(f.login("375291000001", "11111111") == "password.wrong");  // the PUK1 is no password
    CHECK(f.login("375291000001", "nope") == "password.wrong");
    CHECK(f.login("375291000001", "nope") == "password.locked");
    CHECK(f.login("375291000001", pw) == "password.locked");
    f.clock.advance(std::chrono::minutes(16));
    CHECK(f.login("375291000001", pw) == "password");
    CHECK(f.close_own("375291000001") == "ok");
    CHECK(f.login("375291000001", pw) == "access.closed_by_subscriber");
}

TEST_CASE("the schema refuses an administrator of an individual client") {
    Fixture f;
    auto r = f.st->committer().run_sync<Ok>([&](Database& db) -> Status {
        return db.exec("UPDATE subscribers SET role = 'administrator' WHERE msisdn = 375291000001");
    });
    CHECK_FALSE(r.ok());
    CHECK(f.record("375291000001").subscriber.role == Role::subscriber);
}

TEST_CASE("a change whose caller gave up before it was written is annulled, nothing written") {
    Fixture f;
    auto gave_up = [] {
        auto c = std::make_shared<Cancellation>();
        REQUIRE(c->cancel());
        return c;
    };
    auto closed = wait_for<Ok>([&](auto done) {
        f.cab().close_own_access(msisdn("375291000001"), Channel::ussd, done, gave_up());
    });
    REQUIRE_FALSE(closed.ok());
    CHECK(closed.error().code == "request.annulled");
    CHECK(f.record("375291000001").cabinet.access_open);
    auto issued = wait_for<PasswordIssued>([&](auto done) {
        f.cab().issue_password(msisdn("375291000001"), Channel::ussd, done, gave_up());
    });
    REQUIRE_FALSE(issued.ok());
    CHECK(issued.error().code == "request.annulled");
    CHECK_FALSE(f.record("375291000001").cabinet.has_password);
    CHECK(f.audit("375291000001").empty());
    // Not cancelled: the same request goes through, and a cancel after it says it lost.
    auto kept = std::make_shared<Cancellation>();
    CHECK(wait_for<Ok>([&](auto done) {
              f.cab().close_own_access(msisdn("375291000001"), Channel::ussd, done, kept);
          }).ok());
    CHECK_FALSE(kept->cancel());
    CHECK_FALSE(f.record("375291000001").cabinet.access_open);
}

TEST_CASE("a cancel that reaches storage while the change still waits in the queue wins") {
    Fixture f;
    // The writer is busy with another change (a slow batch) while ours waits behind it.
    HeldWriter writer(f.st->committer());
    auto reopen = std::make_shared<Cancellation>();
    auto close = std::make_shared<Cancellation>();
    std::promise<Status> closed, reopened;
    f.cab().close_own_access(
        msisdn("375291000002"), Channel::ussd, [&](Status s) { closed.set_value(std::move(s)); },
        close);
    f.cab().open_own_access(
        msisdn("375291000003"), Secret("33333333"), Channel::ussd,
        [&](Status s) { reopened.set_value(std::move(s)); }, reopen);
    CHECK(close->cancel());   // the dialogue was released: nothing is written
    CHECK(reopen->cancel());  // (PUK1 not even checked)
    writer.release();
    auto c = closed.get_future().get();
    auto o = reopened.get_future().get();
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == "request.annulled");
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().code == "request.annulled");
    CHECK(f.record("375291000002").cabinet.access_open);
    CHECK(f.audit("375291000002").empty());
    CHECK(f.audit("375291000003").empty());
}

}  // namespace cabinet_service_test
