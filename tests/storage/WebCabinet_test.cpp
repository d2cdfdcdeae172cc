// The cabinet API's storage: sessions and the schema's rules (every session of a subscriber
// ends when its password changes or its access is closed, by any path; a session's end annuls
// its unconfirmed requests), the web login without enumeration, one-time codes, service
// requests and their application, call records, against a real SQLite file.
#include "storage/WebCabinet.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "storage/StorageTestSupport.hpp"

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct Fixture : SampleStorage {
    std::unique_ptr<WebCabinet> web;

    Fixture() {
        WebPolicy p;
        p.session_lifetime_ms = 3600'000;
        p.max_sessions = 3;
        p.codes.ttl_ms = 60'000;
        p.codes.max_tries = 3;
        p.codes.resend_interval_ms = 10'000;
        p.codes.sms_per_hour = 3;
        p.codes.sms_per_day = 5;
        p.step_up_ms = 60'000;
        p.apply_delay_ms = 5000;
        p.code_text = [](CodePurpose, const std::string&) { return std::string("Code {code}"); };
        web = std::make_unique<WebCabinet>(*st, p, nullptr);
        REQUIRE(web->open().ok());
    }

    Result<SessionGranted> login(const char* m, bool puk, const char* secret) {
        return wait_for<SessionGranted>([&](auto done) {
            web->login({msisdn(m), puk, Secret(secret), "test"}, done);
        });
    }
    SessionContext context(const SessionGranted& g) {
        auto s = web->find_session(token_hash(g.token));
        REQUIRE(s.ok());
        REQUIRE(s->has_value());
        return **s;
    }
    // The last SMS text for a number (the outbox keeps it sealed until it is sent).
    std::string last_sms(Msisdn m) {
        auto q = st->committer().run_sync<std::string>([&](Database& db) -> Result<std::string> {
            auto s =
                db.query("SELECT body FROM sms_outbox WHERE msisdn = ? ORDER BY id DESC LIMIT 1");
            if (!s) return Failure{s.error()};
            s->bind(1, m.number());
            auto row = s->step();
            if (!row || !*row) return std::string();
            return st->key().unseal(s->blob(0));
        });
        return q ? *q : std::string();
    }
};

}  // namespace

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

TEST_CASE("one-time codes: keyed hashes, tries, expiry, resend interval, SMS limits") {
    Fixture f;
    auto m = msisdn("375291000001");
    auto sent = wait_for<CodeStored>([&](auto done) {
        f.web->send_code(m, CodePurpose::register_password, std::nullopt, done);
    });
    REQUIRE(sent.ok());
    std::string text = f.last_sms(m);
    REQUIRE(text.size() == 11);  // "Code 123456"
    std::string code = text.substr(5);
    auto stored = f.st->committer().run_sync<std::string>([&](Database& db) -> Result<std::string> {
        auto q = db.query("SELECT code_hash FROM one_time_codes ORDER BY id DESC LIMIT 1");
        auto row = q->step();
        return q->text(0);
    });
    CHECK(stored->find(code) == std::string::npos);
    // The resend interval, then the hourly limit.
    auto soon = wait_for<CodeStored>(
        [&](auto done) { f.web->send_code(m, CodePurpose::recover_password, std::nullopt, done); });
    CHECK(soon.error().code == "sms.rate_limited");
    CHECK(*soon.error().until_ms == f.web->now() + 10'000);
    // Wrong, then right: the password is set and a session opens.
    auto wrong = wait_for<SessionGranted>([&](auto done) {
        f.web->reset_password(m, Secret(code == "000000" ? "000001" : "000000"), Secret("Lake-7x"),
                              "test", done);
    });
    CHECK(wrong.error().code == "otp.wrong");
    CHECK(wrong.error().attempts_left == 2);
    auto right = wait_for<SessionGranted>([&](auto done) {
        f.web->reset_password(m, Secret(code), Secret("Lake-7x"), "test", done);
    });
    REQUIRE(right.ok());
    CHECK(right->session.method == "code");
    CHECK(f.login("375291000001", false, "Lake-7x").ok());
    auto audit = f.web->audit(m, 0, 10);
    bool registered = false;
    for (const auto& e : audit->items)
        registered = registered || (e.action == "password.registered" && e.channel == Channel::web);
    CHECK(registered);
    // Expiry.
    f.clock.advance(std::chrono::seconds(11));
    REQUIRE(wait_for<CodeStored>([&](auto done) {
                f.web->send_code(m, CodePurpose::recover_password, std::nullopt, done);
            }).ok());
    code = f.last_sms(m).substr(5);
    f.clock.advance(std::chrono::seconds(61));
    auto late = wait_for<SessionGranted>([&](auto done) {
        f.web->reset_password(m, Secret(code), Secret("Lake-8x"), "test", done);
    });
    CHECK(late.error().code == "otp.expired");
    // Suspended or unknown: no code.
    CHECK(wait_for<CodeStored>([&](auto done) {
              f.web->send_code(msisdn("375291000004"), CodePurpose::register_password, std::nullopt,
                               done);
          })
              .error()
              .code == "service.suspended");
    CHECK(wait_for<CodeStored>([&](auto done) {
              f.web->send_code(msisdn("375299999999"), CodePurpose::register_password, std::nullopt,
                               done);
          })
              .error()
              .code == "not_found");
}

TEST_CASE("service requests: rules, confirmation, application, refusal when due") {
    CHECK(rules::may_change_service(ServiceState::suspended, Payment::postpaid, 0,
                                    ServiceAction::connect, 0, false)
              .error()
              .code == "service.suspended");
    CHECK(rules::may_change_service(ServiceState::active, Payment::prepaid, 100,
                                    ServiceAction::connect, 101, false)
              .error()
              .code == "balance.insufficient");
    CHECK(rules::may_change_service(ServiceState::active, Payment::postpaid, 0,
                                    ServiceAction::connect, 101, false)
              .ok());
    CHECK(rules::may_change_service(ServiceState::active, Payment::prepaid, 0,
                                    ServiceAction::disconnect, 0, false)
              .error()
              .code == "service.not_connected");

    Fixture f;
    auto g = f.login("375291000002", true, "22222222");  // postpaid
    auto ctx = f.context(*g);
    auto r = wait_for<ServiceRequest>([&](auto done) {
        f.web->create_request(ctx, "ringback", ServiceAction::connect, 250, done);
    });
    REQUIRE(r.ok());
    auto c = wait_for<ServiceRequest>([&](auto done) { f.web->confirm_request(ctx, r->id, done); });
    REQUIRE(c.ok());
    CHECK(c->state == RequestState::pending);
    CHECK(*c->effective_by_ms == f.web->now() + 5000);
    CHECK(*f.web->next_due() == f.web->now() + 5000);
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 0);  // not yet due
    f.clock.advance(std::chrono::seconds(5));
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 1);
    auto applied = f.web->service_request(ctx.record.subscriber.msisdn, r->id);
    CHECK(applied->state == RequestState::applied);
    CHECK((*f.st->find(msisdn("375291000002")))->subscriber.balance_minor == -250);
    CHECK(f.web->connected_services(msisdn("375291000002"))->size() == 1);
    auto twice =
        wait_for<ServiceRequest>([&](auto done) { f.web->confirm_request(ctx, r->id, done); });
    CHECK(twice.error().code == "request.wrong_state");
    CHECK(!f.web->next_due()->has_value());
}

TEST_CASE("call records: parsing, idempotent import, pages newest first") {
    CHECK(parse_utc_time("2026-11-20T10:15:00Z") == 1795169700000);
    CHECK(!parse_utc_time("2026-02-30T10:15:00Z"));
    CHECK(!parse_utc_time("2026-11-20 10:15:00"));
    CHECK(parse_call_line("375291000001,2026-11-20T10:15:00Z,fax,1,1,0").error().code ==
          "csv.direction");
    CHECK(parse_call_line("375291000001,2026-11-20T10:15:00Z,out,1,-1,0").error().code ==
          "csv.duration");
    CHECK(parse_call_line("375291000001,2026-11-20T10:15:00Z,out,1,1,0.123").error().code ==
          "csv.cost");
    Fixture f;
    std::string csv =
        "msisdn,started_at,direction,other_party,duration,cost\n"
        "375291000001,2026-11-20T10:15:00Z,out,375291000002,60,0.35\n"
        "375291000001,2026-11-21T10:15:00Z,in,375291000003,30,0\n"
        "375291000001,2026-11-19T10:15:00Z,data,internet,600,1.20\n";
    auto imported = f.st->committer().run_sync<ImportSummary>([&](Database& db) {
        std::istringstream in(csv);
        return CallRecords(db).import(in, {});
    });
    REQUIRE(imported.ok());
    CHECK(imported->inserted == 3);
    auto again = f.st->committer().run_sync<ImportSummary>([&](Database& db) {
        std::istringstream in(csv + "375299999999,2026-11-21T10:15:00Z,in,1,30,0\n");
        return CallRecords(db).import(in, {});
    });
    CHECK(!again->written);
    CHECK(again->errors.at(0).line == 5);
    auto page = f.web->calls(msisdn("375291000001"), 0, 2);
    REQUIRE(page->items.size() == 2);
    CHECK(page->items[0].direction == "in");
    CHECK(page->items[1].cost_minor == 35);
    auto rest = f.web->calls(msisdn("375291000001"), *page->next, 2);
    CHECK(rest->items.size() == 1);
    CHECK(rest->items[0].direction == "data");
    CHECK(!rest->next);
}

TEST_CASE("a pending request is checked again when due: refused for balance or suspension") {
    Fixture f;
    auto g = f.login("375291000003", true, "33333333");  // prepaid, 5.50 BYN
    REQUIRE(g.ok());
    auto ctx = f.context(*g);
    auto pending = [&](const char* service) {
        auto r = wait_for<ServiceRequest>([&](auto done) {
            f.web->create_request(ctx, service, ServiceAction::connect, 500, done);
        });
        REQUIRE(r.ok());
        auto c =
            wait_for<ServiceRequest>([&](auto done) { f.web->confirm_request(ctx, r->id, done); });
        REQUIRE(c.ok());
        CHECK(c->state == RequestState::pending);
        return c->id;
    };
    auto set = [&](const char* assignment) {
        REQUIRE(f.st->committer()
                    .run_sync<Ok>([&](Database& db) -> Status {
                        return db.exec(std::string("UPDATE subscribers SET ") + assignment +
                                       " WHERE msisdn = 375291000003");
                    })
                    .ok());
    };
    auto poor = pending("ringback");
    set("balance_minor = 499");  // spent meanwhile
    f.clock.advance(std::chrono::seconds(5));
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 1);
    auto r = f.web->service_request(msisdn("375291000003"), poor);
    CHECK(r->state == RequestState::refused);
    CHECK(r->refusal == "balance.insufficient");
    CHECK((*f.st->find(msisdn("375291000003")))->subscriber.balance_minor == 499);
    CHECK(f.web->connected_services(msisdn("375291000003"))->empty());

    set("balance_minor = 550");
    auto later = pending("antispam");
    set("service_state = 'suspended'");
    f.clock.advance(std::chrono::seconds(5));
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 1);
    r = f.web->service_request(msisdn("375291000003"), later);
    CHECK(r->state == RequestState::refused);
    CHECK(r->refusal == "service.suspended");
    auto audit = f.web->audit(msisdn("375291000003"), 0, 20);
    int refused = 0;
    for (const auto& e : audit->items)
        refused += e.action == "service.refused";
    CHECK(refused == 2);
}
