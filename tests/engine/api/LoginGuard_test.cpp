// Per-address windows and unknown numbers' counters, fed time by hand.
#include "engine/api/LoginGuard.hpp"

#include <doctest/doctest.h>

namespace login_guard_test {

using namespace ussdgw::api;

TEST_CASE("an address is refused past its limit until its window ends") {
    AddressLimiter l(3, 1000, 100);
    for (int i = 0; i < 3; ++i) {
        CHECK(!l.blocked_until("a", 10 + i));
        l.record("a", 10 + i);
    }
    CHECK(l.blocked_until("a", 20) == 1010);
    CHECK(!l.blocked_until("b", 20));
    CHECK(!l.blocked_until("a", 1010));  // the window is over
    l.record("a", 1010);                 // a new window
    CHECK(!l.blocked_until("a", 1011));
}

TEST_CASE("the limiter forgets the oldest addresses beyond its capacity") {
    AddressLimiter l(1, 1000, 100);
    for (int i = 0; i < 250; ++i)
        l.record("10.0.0." + std::to_string(i), 0);
    CHECK(l.size() == 100);
    CHECK(!l.blocked_until("10.0.0.0", 1));
    CHECK(l.blocked_until("10.0.0.249", 1));
}

TEST_CASE("unknown numbers are counted and locked like subscribers") {
    UnknownNumbers u(3, 5000, 100);
    CHECK(u.fail(375299999999, 0).failures == 1);
    CHECK(u.fail(375299999999, 1).failures == 2);
    auto locked = u.fail(375299999999, 2);
    CHECK(locked.locked_until_ms == 5002);
    CHECK(u.counter(375299999999).locked_until_ms == 5002);
    CHECK(u.fail(375299999999, 6000).failures == 1);  // an expired lockout starts afresh
    CHECK(u.counter(375290000000).failures == 0);
}

}  // namespace login_guard_test
