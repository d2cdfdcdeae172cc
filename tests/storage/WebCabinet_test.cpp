// The cabinet API's storage: sessions and the schema's rules (every session of a subscriber
// ends when its password changes or its access is closed, by any path; a session's end annuls
// its unconfirmed requests), the web login without enumeration, one-time codes, service
// requests and their application, call records, against a real SQLite file.
#include "storage/WebCabinet.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "storage/StorageTestSupport.hpp"

namespace web_cabinet_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

using Fixture = WebFixture;

TEST_CASE("a PUK1 login opens a session found by the token's hash only") {
    Fixture f;
    auto g = f.login("375291000002", true, "22222222");  // Видеонаблюдение: PUK1 allowed
    REQUIRE(g.ok());
    CHECK(g->token.rfind("uss_", 0) == 0);
    CHECK(g->session.method == "puk");
    auto ctx = f.context(*g);
    CHECK(ctx.record.subscriber.msisdn == msisdn("375291000002"));
    auto raw = f.st->committer().run_sync<int>([&](Database& db) -> Result<int> {
        auto q = db.query("SELECT count(*) FROM web_sessions WHERE token_hash = ?");
        if (!q) return Failure{q.error()};
        q->bind(1, g->token);
        auto row = q->step();
        return static_cast<int>(q->int64(0));
    });
    CHECK(*raw == 0);  // the clear token is nowhere
}

TEST_CASE("the web login: no enumeration, lockout first, closings told only to the right one") {
    Fixture f;
    CHECK(f.login("375299999999", false, "x").error().code == "login.unknown");
    CHECK(f.login("375299999999", true, "12345678").error().code == "login.unknown");
    // Without a password: simply wrong.
    auto w = f.login("375291000001", false, "anything");
    CHECK(w.error().code == "password.wrong");
    CHECK(w.error().attempts_left == 2);
    // PUK1 where not allowed: told only to the right PUK1; a wrong one counts.
    CHECK(f.login("375291000001", true, "11111111").error().code == "puk.login_not_allowed");
    w = f.login("375291000001", true, "11111112");
    CHECK(w.error().code == "password.wrong");
    CHECK(w.error().attempts_left == 1);
    w = f.login("375291000001", true, "11111113");
    CHECK(w.error().code == "password.locked");
    CHECK(w.error().attempts_left == 0);
    REQUIRE(w.error().until_ms);
    // Told before any check, so the right one is refused too, without attempts_left.
    auto again = f.login("375291000002", true, "22222222");
    CHECK(again.ok());
    w = f.login("375291000001", true, "11111111");
    CHECK(w.error().code == "password.locked");
    CHECK(!w.error().attempts_left);
    // The USSD PUK1 counter is not touched by web logins.
    auto rec = f.st->find(msisdn("375291000001"));
    CHECK((*rec)->cabinet.puk_failures == 0);
    f.clock.advance(std::chrono::minutes(16));
    CHECK(f.login("375291000001", true, "11111111").error().code == "puk.login_not_allowed");
    // Closed: told to the right PUK1 only.
    REQUIRE(wait_for<Ok>([&](auto done) {
                f.st->cabinet().close_own_access(msisdn("375291000002"), Channel::ussd, done);
            }).ok());
    CHECK(f.login("375291000002", true, "22222222").error().code == "access.closed_by_subscriber");
    CHECK(f.login("375291000002", true, "22222229").error().code == "password.wrong");
}

TEST_CASE("every session ends when the password changes or access is closed, by any path") {
    Fixture f;
    auto a = f.login("375291000002", true, "22222222");
    auto b = f.login("375291000002", true, "22222222");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    auto ctx = f.context(*a);
    auto created = wait_for<ServiceRequest>(
        [&](auto done) { f.web->create_request(ctx, "roaming", ServiceAction::connect, 0, done); });
    REQUIRE(created.ok());
    // *141*0# by USSD: a new password.
    REQUIRE(wait_for<PasswordIssued>([&](auto done) {
                f.st->cabinet().issue_password(msisdn("375291000002"), Channel::ussd, done);
            }).ok());
    for (auto* g : {&*a, &*b}) {
        auto s = f.web->find_session(token_hash(g->token));
        REQUIRE(s->has_value());
        CHECK((*s)->session.ended_at_ms.has_value());
        CHECK((*s)->session.end_reason == "password.changed");
    }
    auto r = f.web->service_request(msisdn("375291000002"), created->id);
    CHECK(r->state == RequestState::annulled);
    CHECK(r->refusal == "session.ended");
    // A change on behalf of the ended session is annulled, nothing written.
    auto late = wait_for<ServiceRequest>([&](auto done) {
        f.web->create_request(ctx, "antispam", ServiceAction::connect, 0, done);
    });
    CHECK(late.error().code == "request.annulled");
    // Closings by the operator, a manager and the subscriber end sessions too.
    auto c = f.login("375291000002", true, "22222222");
    REQUIRE(wait_for<Ok>([&](auto done) {
                f.st->cabinet().operator_close(msisdn("375291000002"),
                                               ClosedBy::operator_restriction, "anna", Channel::cli,
                                               done);
            }).ok());
    CHECK(f.context(*c).session.end_reason == "access.closed");
}

TEST_CASE("sessions beyond the per-subscriber limit end, oldest first; idle ones end") {
    Fixture f;
    std::vector<SessionGranted> g;
    for (int i = 0; i < 4; ++i) {
        g.push_back(*f.login("375291000002", true, "22222222"));
        f.clock.advance(std::chrono::milliseconds(10));
    }
    CHECK(f.context(g[0]).session.end_reason == "superseded");
    CHECK(!f.context(g[3]).session.ended_at_ms);
    f.clock.advance(std::chrono::minutes(10));
    auto stale = f.web->stale_sessions(f.web->now() - 60'000, 10);
    REQUIRE(stale.ok());
    CHECK(stale->size() == 3);
    auto ended = wait_for<bool>(
        [&](auto done) { f.web->end_if_stale(g[3].session.id, f.web->now() - 60'000, done); });
    CHECK(*ended);
    CHECK(f.context(g[3]).session.end_reason == "idle");
}

}  // namespace web_cabinet_test
