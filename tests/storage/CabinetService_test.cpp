// CabinetService against a real SQLite file: the rules of SPEC section 2 as the menus and
// the HTTP API will exercise them, with audit entries and outbox messages.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "StorageTestSupport.hpp"
#include "storage/WebCabinet.hpp"

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct Fixture : SampleStorage {
    std::unique_ptr<WebCabinet> web;  // the login that passwords issued here are for

    Fixture() {
        web = std::make_unique<WebCabinet>(*st, WebPolicy{}, nullptr);
        REQUIRE(web->open().ok());
    }
    CabinetService& cab() { return st->cabinet(); }

    std::string issue(const char* m) {
        auto r = wait_for<PasswordIssued>(
            [&](auto done) { cab().issue_password(msisdn(m), Channel::ussd, done); });
        return r ? "ok" : r.error().code;
    }
    std::string close_own(const char* m) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().close_own_access(msisdn(m), Channel::ussd, done); });
        return r ? "ok" : r.error().code;
    }
    std::string open_own(const char* m, const char* puk) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().open_own_access(msisdn(m), Secret(puk), Channel::ussd, done); });
        return r ? "ok" : r.error().code;
    }
    std::string manager(const char* mgr, const char* target, bool open) {
        auto r = wait_for<Ok>([&](auto done) {
            cab().manager_set_access(msisdn(mgr), msisdn(target), open, Channel::http, done);
        });
        return r ? "ok" : r.error().code;
    }
    std::string op_close(const char* m, ClosedBy why) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().operator_close(msisdn(m), why, "staff1", Channel::cli, done); });
        return r ? "ok" : r.error().code;
    }
    std::string op_open(const char* m) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().operator_open(msisdn(m), "staff1", Channel::cli, done); });
        return r ? "ok" : r.error().code;
    }
    // The web login (WebCabinet::login) with a password or, `by_puk`, the PUK1: the session's
    // method, or the refusal's code.
    std::string login(const char* m, const std::string& cred, bool by_puk = false) {
        auto r = wait_for<SessionGranted>([&](auto done) {
            web->login({msisdn(m), by_puk, Secret(cred), "test"}, done);
        });
        return r ? r->session.method : r.error().code;
    }
    SubscriberRecord record(const char* m) {
        auto r = st->find(msisdn(m));
        REQUIRE(r.ok());
        REQUIRE(r->has_value());
        return **r;
    }
    std::vector<AuditEntry> audit(const char* m) {
        auto r = st->committer().run_sync<std::vector<AuditEntry>>(
            [&](Database& db) { return AuditLog(db).recent(msisdn(m), 100); });
        REQUIRE(r.ok());
        return *r;
    }
    // The clear password, read back from the outbox the way the SMS sender will.
    std::string password_from_outbox() {
        auto r = wait_for<std::vector<OutboxMessage>>([&](auto done) {
            st->with_outbox<std::vector<OutboxMessage>>(
                [](SmsOutbox& o, std::int64_t now) { return o.claim_due(now, 10); }, done);
        });
        REQUIRE(r.ok());
        REQUIRE(r->size() == 1);
        const std::string& text = r->front().text;
        return text.substr(text.rfind(' ') + 1);
    }
};

}  // namespace

TEST_CASE("access is open by default and a password is issued by SMS, stored only as a hash") {
    Fixture f;
    auto rec = f.record("375291000001");
    CHECK(rec.cabinet.access_open);
    CHECK_FALSE(rec.cabinet.has_password);
    CHECK(f.issue("375291000001") == "ok");
    rec = f.record("375291000001");
    CHECK(rec.cabinet.has_password);
    std::string pw = f.password_from_outbox();
    CHECK(pw.size() == f.cfg.password_length);
    // the stored hash is Argon2id, not the password
    auto secrets = f.st->committer().run_sync<StoredSecrets>([&](Database& db) {
        return SubscriberStore(db, f.cfg.puk_login_tariff_plans).secrets(msisdn("375291000001"));
    });
    REQUIRE(secrets.ok());
    CHECK(secrets->password_hash.rfind("$argon2id$", 0) == 0);
    CHECK(secrets->password_hash.find(pw) == std::string::npos);
    CHECK(f.login("375291000001", pw) == "password");
    auto log = f.audit("375291000001");
    REQUIRE(log.size() >= 2);
    CHECK(log.back().action == "password.issued");
    CHECK(log.back().channel == Channel::ussd);
}

TEST_CASE("the password SMS is in the subscriber's language, else the default one") {
    Fixture f;
    import_csv(
        f.cfg,
        "375291000002,P2,individual,subscriber,Видеонаблюдение,22222222,no,active,"
        "postpaid,0,en\n"
        "375291000003,P3,individual,subscriber,Комфорт,33333333,yes,active,prepaid,5.5,be\n");
    auto sms_text = [&](const char* m) {
        REQUIRE(f.issue(m) == "ok");
        auto r = wait_for<std::vector<OutboxMessage>>([&](auto done) {
            f.st->with_outbox<std::vector<OutboxMessage>>(
                [](SmsOutbox& o, std::int64_t now) { return o.claim_due(now, 10); }, done);
        });
        REQUIRE(r.ok());
        REQUIRE(r->size() == 1);
        return r->front().text;
    };
    CHECK(sms_text("375291000002").rfind("Password for the self-service cabinet: ", 0) == 0);
    CHECK(sms_text("375291000003").rfind("Пароль для ўваходу ў Асабісты кабінет: ", 0) == 0);
    CHECK(sms_text("375291000001").rfind("Пароль для входа в Личный кабинет: ", 0) == 0);
}

TEST_CASE("a new password replaces the old one") {
    Fixture f;
    CHECK(f.issue("375291000001") == "ok");
    std::string first = f.password_from_outbox();
    CHECK(f.issue("375291000001") == "ok");
    std::string second = f.password_from_outbox();
    CHECK(f.login("375291000001", second) == "password");
    if (first != second) CHECK(f.login("375291000001", first) == "password.wrong");
}

TEST_CASE("password SMS are rate limited per subscriber") {
    Fixture f;
    for (int i = 0; i < f.cfg.password_sms_per_hour; ++i)
        CHECK(f.issue("375291000001") == "ok");
    CHECK(f.issue("375291000001") == "sms.rate_limited");
    CHECK(f.issue("375291000003") == "ok");  // others are not affected
    f.clock.advance(std::chrono::minutes(61));
    CHECK(f.issue("375291000001") == "ok");
    CHECK(f.issue("375291000001") == "ok");
    CHECK(f.issue("375291000001") == "sms.rate_limited");  // 5 per day
    f.clock.advance(std::chrono::hours(24));
    CHECK(f.issue("375291000001") == "ok");
}

TEST_CASE("a password request the busy hash pool refuses writes nothing and spends no limit") {
    Fixture f;
    // Both workers held, then the queue filled until the pool refuses.
    std::promise<void> release;
    auto held = release.get_future().share();
    // The queue is filled only once the workers run their held task: a worker taking its
    // first task after the queue was full would make room for the request below.
    auto running = std::make_shared<std::atomic<std::size_t>>(0);
    for (std::size_t i = 0; i < f.cfg.hash_workers; ++i)
        REQUIRE(f.st->hasher().submit([held, running] {
            *running += 1;
            held.wait();
        }));
    for (int i = 0; i < 10000 && *running < f.cfg.hash_workers; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(*running == f.cfg.hash_workers);
    while (f.st->hasher().submit([held] { held.wait(); }))
        ;
    const auto before = f.record("375291000001");
    // Asked without blocking: a request the pool queued instead (if the held ones expired
    // while this thread stalled for hash_max_wait) could never run before `release`, and
    // waiting for it would hang the suite.
    auto answer = std::make_shared<std::promise<std::string>>();
    auto answered = answer->get_future();
    f.cab().issue_password(
        msisdn("375291000001"), Channel::ussd,
        [answer](Result<PasswordIssued> r) { answer->set_value(r ? "ok" : r.error().code); });
    const bool refused_at_once =
        answered.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    release.set_value();
    REQUIRE(refused_at_once);
    CHECK(answered.get() == "storage.busy");
    // The held tasks drain first (until then the pool would still refuse: its estimate counts
    // them, with the long run time of the held ones); bounded at 20 s.
    for (int i = 0; i < 20000 && f.st->hasher().estimated_wait().count() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // Nothing was written: no new hash, no audit entry, no SMS in the outbox ...
    CHECK(f.record("375291000001").cabinet.has_password == before.cabinet.has_password);
    for (const auto& e : f.audit("375291000001"))
        CHECK(e.action != "password.issued");
    // ... and the hour's limit is whole: three passwords still go out, then the limit.
    // (The pool may still refuse while it measures the held tasks' long run time; a refusal
    // spends nothing, so each request is repeated until it is taken, bounded.)
    auto issue_when_taken = [&f] {
        std::string got;
        for (int i = 0; i < 2000 && (got = f.issue("375291000001")) == "storage.busy"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return got;
    };
    for (int i = 0; i < f.cfg.password_sms_per_hour; ++i)
        CHECK(issue_when_taken() == "ok");
    CHECK(issue_when_taken() == "sms.rate_limited");
}

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
