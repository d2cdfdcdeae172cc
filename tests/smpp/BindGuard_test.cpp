// BindGuard: failures slow down, then lock out, an address and an account; time injected.
#include "smpp/BindGuard.hpp"

#include <doctest/doctest.h>

#include <string>

namespace bind_guard_test {

using namespace ussdgw::smpp;
using namespace std::chrono_literals;

namespace {

BindGuard::TimePoint t0() {
    return BindGuard::TimePoint{} + 1000h;
}

BindGuardConfig config() {
    BindGuardConfig c;
    c.window = 10min;
    c.slowdown_after = 3;
    c.slowdown = 100ms;
    c.max_delay = 1s;
    c.lockout_after = 8;
    c.account_lockout_after = 20;
    return c;
}

}  // namespace

TEST_CASE("bind guard: answers slow down after a few failures, doubling, capped; then locked") {
    BindGuard g(config());
    std::vector<Millis> delays;
    std::vector<bool> locked;
    for (int i = 0; i < 10; ++i) {
        auto d = g.check("10.0.0.1", "esme", t0() + std::chrono::seconds(i));
        delays.push_back(d.delay);
        locked.push_back(d.locked);
        if (!d.locked) g.failed("10.0.0.1", "esme", t0() + std::chrono::seconds(i));
    }
    // Locked-out binds are refused at once (no password is looked at).
    CHECK(delays ==
          std::vector<Millis>{0ms, 0ms, 0ms, 100ms, 200ms, 400ms, 800ms, 1000ms, 0ms, 0ms});
    CHECK(locked ==
          std::vector<bool>{false, false, false, false, false, false, false, false, true, true});
    // Another address is not slowed by the first one's failures; the account is (8 failures
    // counted for it: past slowdown_after, below its own lockout).
    auto other = g.check("10.0.0.2", "other", t0() + 10s);
    CHECK(other.delay == 0ms);
    CHECK_FALSE(other.locked);
    auto same_account = g.check("10.0.0.2", "esme", t0() + 10s);
    CHECK(same_account.delay == 1000ms);
    CHECK_FALSE(same_account.locked);
}

TEST_CASE("bind guard: counts are forgotten a window after the last failure") {
    BindGuard g(config());
    for (int i = 0; i < 8; ++i)
        g.failed("10.0.0.1", "", t0());
    CHECK(g.check("10.0.0.1", "", t0() + 9min).locked);
    // Refusals while locked are not counted: the lockout ends a window after the last failure.
    auto d = g.check("10.0.0.1", "", t0() + 10min);
    CHECK_FALSE(d.locked);
    CHECK(d.delay == 0ms);
}

TEST_CASE("bind guard: a success clears its address and account") {
    BindGuard g(config());
    for (int i = 0; i < 5; ++i)
        g.failed("10.0.0.1", "esme", t0());
    CHECK(g.check("10.0.0.1", "esme", t0()).delay == 400ms);
    g.succeeded("10.0.0.1", "esme");
    CHECK(g.check("10.0.0.1", "esme", t0()).delay == 0ms);
}

TEST_CASE("bind guard: an account is locked after its own limit, from any address") {
    BindGuard g(config());
    for (int i = 0; i < 20; ++i)
        g.failed("10.0.1." + std::to_string(i), "esme", t0());
    CHECK(g.check("10.9.9.9", "esme", t0()).locked);
    CHECK_FALSE(g.check("10.9.9.9", "other", t0()).locked);
    // Unknown system_ids ("" here) are counted for the address only.
    CHECK_FALSE(g.check("10.9.9.9", "", t0()).locked);
}

TEST_CASE("bind guard: memory is bounded however many addresses fail") {
    auto c = config();
    c.max_addresses = 100;
    BindGuard g(c);
    for (int i = 0; i < 10'000; ++i)
        g.failed("10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                     std::to_string(i % 256),
                 "", t0() + std::chrono::milliseconds(i));
    CHECK(g.addresses_tracked() <= 100);
    // The most recent ones are remembered.
    g.failed("10.0.39.15", "", t0() + 10'000ms);                     // the 9999th plus one more
    CHECK(g.check("10.0.39.15", "", t0() + 10'001ms).delay == 0ms);  // 2 failures
    for (int i = 0; i < 2; ++i)
        g.failed("10.0.39.15", "", t0() + 10'002ms);
    CHECK(g.check("10.0.39.15", "", t0() + 10'003ms).delay == 200ms);
}

}  // namespace bind_guard_test
