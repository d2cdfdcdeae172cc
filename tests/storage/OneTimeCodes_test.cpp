// One-time codes (storage/OneTimeCodes.cpp) against a real SQLite file: keyed hashes,
// tries, expiry, the resend interval and the SMS limits, through the web cabinet and
// directly.
#include "storage/OneTimeCodes.hpp"

#include <doctest/doctest.h>

#include <set>

#include "StorageTestSupport.hpp"

namespace one_time_codes_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

using Fixture = WebFixture;

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

namespace {

// OneTimeCodes on the writer's connection of the sample storage.
struct CodesFixture : SampleStorage {
    CodePolicy policy;
    CodesFixture() {
        policy.ttl_ms = 60'000;
        policy.max_tries = 3;
    }
    template <typename T>
    Result<T> with_codes(std::function<Result<T>(OneTimeCodes&)> f) {
        return st->committer().run_sync<T>([&](Database& db) {
            OneTimeCodes codes(db, st->key(), policy);
            return f(codes);
        });
    }
    Result<CodeStored> store(const char* m, CodePurpose p, const char* code, std::int64_t now) {
        return with_codes<CodeStored>([&](OneTimeCodes& c) {
            return c.store(msisdn(m), p, std::nullopt, Secret(code), 0, now);
        });
    }
    // The purpose of a right entry, or the refusal as "otp.wrong:<attempts left>" or
    // "otp.expired". The check's writes are kept on a refusal (as the web cabinet keeps
    // them), so the refusal is returned as a value, not as a failed change.
    std::string check(const char* m, bool password_kind, const char* entry, std::int64_t now) {
        auto r = with_codes<std::string>([&](OneTimeCodes& c) -> Result<std::string> {
            auto p = c.check(msisdn(m), password_kind, std::nullopt, Secret(entry), now);
            if (p) return std::string(to_text(*p));
            std::string out = p.error().code;
            if (p.error().attempts_left) out += ":" + std::to_string(*p.error().attempts_left);
            return out;
        });
        REQUIRE(r.ok());
        return *r;
    }
};

}  // namespace

TEST_CASE("codes: six random digits; purposes by name; which kinds set a password") {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        const std::string c(generate_code().reveal());
        REQUIRE(c.size() == 6);
        CHECK(c.find_first_not_of("0123456789") == std::string::npos);
        seen.insert(c);
    }
    CHECK(seen.size() > 40);  // 50 draws from 10^6 values
    CHECK(to_text(CodePurpose::register_password) == "register");
    CHECK(to_text(CodePurpose::recover_password) == "recover");
    CHECK(to_text(CodePurpose::step_up) == "step_up");
    CHECK(sets_password(CodePurpose::register_password));
    CHECK(sets_password(CodePurpose::recover_password));
    CHECK_FALSE(sets_password(CodePurpose::step_up));
}

TEST_CASE(
    "store and check directly: tries counted, the last wrong try spends, a new code "
    "replaces the live one of its kind only") {
    CodesFixture f;
    const std::int64_t t = 1'700'000'000'000;
    auto stored = f.store("375291000001", CodePurpose::recover_password, "123456", t);
    REQUIRE(stored.ok());
    CHECK(stored->expires_at_ms == t + 60'000);
    CHECK(f.check("375291000001", true, "654321", t + 1) == "otp.wrong:2");
    CHECK(f.check("375291000001", true, "123456", t + 2) == "recover");
    CHECK(f.check("375291000001", true, "123456", t + 3) == "otp.expired");

    // Three wrong tries spend the code; the right one then finds nothing live.
    REQUIRE(f.store("375291000001", CodePurpose::register_password, "111111", t).ok());
    CHECK(f.check("375291000001", true, "000000", t) == "otp.wrong:2");
    CHECK(f.check("375291000001", true, "000000", t) == "otp.wrong:1");
    CHECK(f.check("375291000001", true, "000000", t) == "otp.wrong:0");
    CHECK(f.check("375291000001", true, "111111", t) == "otp.expired");

    // A new password code replaces the live one; a step-up code is another kind.
    REQUIRE(f.store("375291000001", CodePurpose::register_password, "222222", t).ok());
    REQUIRE(f.store("375291000001", CodePurpose::step_up, "444444", t).ok());
    REQUIRE(f.store("375291000001", CodePurpose::recover_password, "333333", t).ok());
    CHECK(f.check("375291000001", true, "222222", t) == "otp.wrong:2");
    CHECK(f.check("375291000001", true, "333333", t) == "recover");
    CHECK(f.check("375291000001", false, "444444", t) == "step_up");

    // Expired after the time to live; bound to its number.
    REQUIRE(f.store("375291000001", CodePurpose::recover_password, "555555", t).ok());
    CHECK(f.check("375291000003", true, "555555", t) == "otp.expired");
    CHECK(f.check("375291000001", true, "555555", t + 60'000) == "otp.expired");
    CHECK(f.check("375291000001", true, "555555", t + 59'999) == "recover");
}

}  // namespace one_time_codes_test
