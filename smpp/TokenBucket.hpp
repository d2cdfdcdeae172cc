// TokenBucket: a rate limit (requests per second) with a small burst, fed the time by its
// owner (sans-I/O). SmppSession uses one for its own requests (a link's throughput) and one
// for the peer's (an account's throughput).
#pragma once

#include <chrono>

namespace ussdgw::smpp {

class TokenBucket {
  public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;

    // `per_second` 0 = unlimited; the burst is 100 ms worth of requests (at least one).
    void configure(double per_second, TimePoint now);
    // Takes a token if there is one (always, when unlimited).
    bool take(TimePoint now);
    // When the next token is there (`now` if one is).
    TimePoint next_token(TimePoint now) const;
    TimePoint last_refill() const { return last_; }

  private:
    void refill(TimePoint now);

    double rate_ = 0;  // tokens/s, 0 = unlimited
    double burst_ = 1;
    double tokens_ = 1;
    TimePoint last_{};
};

}  // namespace ussdgw::smpp
