#include "smpp/TokenBucket.hpp"

#include <algorithm>

namespace ussdgw::smpp {

void TokenBucket::configure(double per_second, TimePoint now) {
    rate_ = per_second > 0 ? per_second : 0;
    burst_ = std::max(1.0, rate_ / 10.0);  // at most 100 ms worth of requests at once
    tokens_ = burst_;
    last_ = now;
}

void TokenBucket::refill(TimePoint now) {
    if (rate_ <= 0 || now <= last_) return;
    double dt = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + dt * rate_);
    last_ = now;
}

bool TokenBucket::take(TimePoint now) {
    if (rate_ <= 0) return true;
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

TokenBucket::TimePoint TokenBucket::next_token(TimePoint now) const {
    if (rate_ <= 0) return now;
    double have = tokens_;
    if (now > last_)
        have =
            std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    if (have >= 1.0) return now;
    auto wait = std::chrono::duration<double>((1.0 - have) / rate_);
    return now + std::chrono::ceil<Clock::duration>(wait);
}

}  // namespace ussdgw::smpp
