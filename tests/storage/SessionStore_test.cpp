// SessionStore against a real SQLite file: the token helpers (random tokens, SHA-256 hashes,
// the CSRF token of a session), sessions opened, found by hash or id, touched, elevated,
// ended once, the oldest superseded beyond the limit, stale ones listed, ended ones purged.
#include "storage/SessionStore.hpp"

#include <doctest/doctest.h>

#include <set>

#include "StorageTestSupport.hpp"

namespace session_store_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct SessionFixture : SampleStorage {
    // Runs `f` with a SessionStore on the writer's connection.
    template <typename T>
    T with_store(std::function<Result<T>(SessionStore&)> f) {
        auto r = st->committer().run_sync<T>([&](Database& db) {
            SessionStore s(db);
            return f(s);
        });
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
        return *r;
    }
    std::int64_t open(const std::string& token, const char* m, std::int64_t now,
                      int max_live = 10) {
        NewSession n;
        n.token_hash = token_hash(token);
        n.msisdn = msisdn(m);
        n.method = "password";
        n.source = "127.0.0.1";
        n.now_ms = now;
        n.lifetime_ms = 3600'000;
        n.max_live = max_live;
        return with_store<std::int64_t>([&](SessionStore& s) { return s.open(n); });
    }
    std::optional<WebSession> by_id(std::int64_t id) {
        return with_store<std::optional<WebSession>>(
            [&](SessionStore& s) { return s.find_id(id); });
    }
};

}  // namespace

TEST_CASE("tokens: prefixed, 256 random bits in base64url, never the same twice") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const std::string t = new_token("uss_");
        REQUIRE(t.size() == 4 + 43);
        CHECK(t.rfind("uss_", 0) == 0);
        CHECK(t.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4) ==
              std::string::npos);
        seen.insert(t);
    }
    CHECK(seen.size() == 100);
}

TEST_CASE("token hashes: SHA-256 raw and hex; the CSRF token is keyed and stable") {
    CHECK(token_hash("abc").size() == 32);
    // SHA-256("abc"), FIPS 180-2 appendix B.1: what `printf %s abc | sha256sum` prints.
    CHECK(token_hash_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(token_hash_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const std::string csrf = csrf_token_for("uss_token");
    CHECK(csrf.size() == 43);
    CHECK(csrf == csrf_token_for("uss_token"));
    CHECK(csrf != csrf_token_for("uss_tokeN"));
    CHECK(csrf.find("uss_token") == std::string::npos);
    CHECK(same_secret("abc", "abc"));
    CHECK_FALSE(same_secret("abc", "abd"));
    CHECK_FALSE(same_secret("abc", "abcd"));
    CHECK(same_secret("", ""));
}

TEST_CASE("a session is found by its token's hash or id, never by the token itself") {
    SessionFixture f;
    const std::int64_t t = 1'700'000'000'000;
    const std::string token = new_token("uss_");
    const auto id = f.open(token, "375291000001", t);
    auto found = f.with_store<std::optional<WebSession>>(
        [&](SessionStore& s) { return s.find(token_hash(token)); });
    REQUIRE(found.has_value());
    CHECK(found->id == id);
    CHECK(found->msisdn == msisdn("375291000001"));
    CHECK(found->method == "password");
    CHECK(found->created_at_ms == t);
    CHECK(found->last_seen_at_ms == t);
    CHECK(found->expires_at_ms == t + 3600'000);
    CHECK(found->elevated_until_ms == 0);
    CHECK_FALSE(found->ended_at_ms.has_value());
    CHECK_FALSE(f.with_store<std::optional<WebSession>>([&](SessionStore& s) {
                     return s.find(token);
                 }).has_value());
    CHECK_FALSE(f.by_id(id + 100).has_value());
}

TEST_CASE("touch only moves forward; elevate; end once; a touch after the end changes nothing") {
    SessionFixture f;
    const std::int64_t t = 1'700'000'000'000;
    const auto id = f.open(new_token("uss_"), "375291000001", t);
    f.with_store<Ok>([&](SessionStore& s) { return s.touch(id, t + 5000); });
    CHECK(f.by_id(id)->last_seen_at_ms == t + 5000);
    f.with_store<Ok>([&](SessionStore& s) { return s.touch(id, t + 1000); });  // older: kept
    CHECK(f.by_id(id)->last_seen_at_ms == t + 5000);
    f.with_store<Ok>([&](SessionStore& s) { return s.elevate(id, t + 60'000); });
    CHECK(f.by_id(id)->elevated_until_ms == t + 60'000);
    CHECK(f.with_store<bool>([&](SessionStore& s) { return s.end(id, "logout", t + 6000); }));
    CHECK_FALSE(f.with_store<bool>([&](SessionStore& s) { return s.end(id, "idle", t + 7000); }));
    CHECK_FALSE(f.with_store<bool>([&](SessionStore& s) { return s.end(id + 100, "x", t); }));
    auto ended = f.by_id(id);
    CHECK(ended->ended_at_ms == t + 6000);
    CHECK(ended->end_reason == "logout");
    f.with_store<Ok>([&](SessionStore& s) { return s.touch(id, t + 9000); });
    CHECK(f.by_id(id)->last_seen_at_ms == t + 5000);
}

TEST_CASE("beyond max_live the oldest live sessions of the subscriber are superseded") {
    SessionFixture f;
    const std::int64_t t = 1'700'000'000'000;
    const auto a = f.open(new_token("uss_"), "375291000001", t, 2);
    const auto other = f.open(new_token("uss_"), "375291000003", t + 1, 2);
    const auto b = f.open(new_token("uss_"), "375291000001", t + 2, 2);
    CHECK_FALSE(f.by_id(a)->ended_at_ms.has_value());
    const auto c = f.open(new_token("uss_"), "375291000001", t + 3, 2);
    CHECK(f.by_id(a)->end_reason == "superseded");
    CHECK(f.by_id(a)->ended_at_ms == t + 3);
    CHECK_FALSE(f.by_id(b)->ended_at_ms.has_value());
    CHECK_FALSE(f.by_id(c)->ended_at_ms.has_value());
    CHECK_FALSE(f.by_id(other)->ended_at_ms.has_value());  // another subscriber's
}

TEST_CASE("stale: live sessions idle too long or past their end; purge deletes ended ones") {
    SessionFixture f;
    const std::int64_t t = 1'700'000'000'000;
    const auto idle = f.open(new_token("uss_"), "375291000001", t);
    const auto fresh = f.open(new_token("uss_"), "375291000003", t);
    const auto ended = f.open(new_token("uss_"), "375291000002", t);
    f.with_store<Ok>([&](SessionStore& s) { return s.touch(fresh, t + 50'000); });
    f.with_store<bool>([&](SessionStore& s) { return s.end(ended, "logout", t + 1000); });
    auto stale = f.with_store<std::vector<WebSession>>(
        [&](SessionStore& s) { return s.stale(t + 10'000, t + 20'000, 10); });
    REQUIRE(stale.size() == 1);
    CHECK(stale[0].id == idle);
    // Past the absolute end (lifetime one hour), however recently seen.
    stale = f.with_store<std::vector<WebSession>>(
        [&](SessionStore& s) { return s.stale(t, t + 3600'000, 10); });
    CHECK(stale.size() == 2);
    stale = f.with_store<std::vector<WebSession>>(
        [&](SessionStore& s) { return s.stale(t, t + 3600'000, 1); });
    CHECK(stale.size() == 1);
    CHECK(f.with_store<int>([&](SessionStore& s) { return s.purge(t + 1000); }) == 0);
    CHECK(f.with_store<int>([&](SessionStore& s) { return s.purge(t + 1001); }) == 1);
    CHECK_FALSE(f.by_id(ended).has_value());
    CHECK(f.by_id(idle).has_value());
}

}  // namespace session_store_test
