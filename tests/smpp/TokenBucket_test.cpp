#include "smpp/TokenBucket.hpp"

#include <doctest/doctest.h>

namespace token_bucket_test {

using namespace ussdgw::smpp;
using namespace std::chrono_literals;

namespace {
TokenBucket::TimePoint t0() {
    return TokenBucket::TimePoint{} + 1000h;
}
}  // namespace

TEST_CASE("token bucket: unlimited always gives") {
    TokenBucket b;
    b.configure(0, t0());
    for (int i = 0; i < 1000; ++i)
        CHECK(b.take(t0()));
    CHECK(b.next_token(t0()) == t0());
}

TEST_CASE("token bucket: the rate, a burst of 100 ms worth, and when the next token comes") {
    TokenBucket slow;
    slow.configure(10, t0());  // burst 1
    CHECK(slow.take(t0()));
    CHECK_FALSE(slow.take(t0()));
    CHECK(slow.next_token(t0()) == t0() + 100ms);
    CHECK_FALSE(slow.take(t0() + 99ms));
    CHECK(slow.take(t0() + 100ms));

    TokenBucket fast;
    fast.configure(1000, t0());  // burst 100
    int given = 0;
    while (fast.take(t0()) && given < 1000)
        ++given;
    CHECK(given == 100);
    // Refills at the rate, never beyond the burst.
    given = 0;
    while (fast.take(t0() + 10s) && given < 1000)
        ++given;
    CHECK(given == 100);
}

}  // namespace token_bucket_test
