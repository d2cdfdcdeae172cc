// CabinetService's password flows (storage/CabinetPasswords.cpp) against a real SQLite
// file: issued by SMS in the subscriber's language, stored only as a hash, replaced, rate
// limited, refused by a busy hash pool without spending anything.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "StorageTestSupport.hpp"

namespace cabinet_passwords_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

using Fixture = CabinetFixture;

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
    // The held tasks drain first (until then the queue is full); bounded at 20 s.
    for (int i = 0; i < 20000 && f.st->hasher().queue_depth() > 0; ++i)
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

}  // namespace cabinet_passwords_test
