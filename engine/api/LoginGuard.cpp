#include "engine/api/LoginGuard.hpp"

namespace ussdgw::api {

std::optional<std::int64_t> AddressLimiter::blocked_until(const std::string& address,
                                                          std::int64_t now_ms) const {
    auto it = entries_.find(address);
    if (it == entries_.end()) return std::nullopt;
    const Entry& e = it->second;
    std::int64_t end = e.window_start + window_ms_;
    if (now_ms >= end || e.count < limit_) return std::nullopt;
    return end;
}

void AddressLimiter::record(const std::string& address, std::int64_t now_ms) {
    auto [it, fresh] = entries_.try_emplace(address);
    if (fresh) {
        order_.push_back(address);
        while (entries_.size() > capacity_ && !order_.empty()) {
            entries_.erase(order_.front());
            order_.pop_front();
        }
        it = entries_.find(address);
        if (it == entries_.end()) return;
    }
    Entry& e = it->second;
    if (fresh || now_ms >= e.window_start + window_ms_) {
        e.window_start = now_ms;
        e.count = 0;
    }
    ++e.count;
}

storage::rules::AttemptCounter UnknownNumbers::counter(std::int64_t msisdn) const {
    auto it = entries_.find(msisdn);
    return it == entries_.end() ? storage::rules::AttemptCounter{} : it->second;
}

storage::rules::AttemptCounter UnknownNumbers::fail(std::int64_t msisdn, std::int64_t now_ms) {
    auto [it, fresh] = entries_.try_emplace(msisdn);
    if (fresh) {
        order_.push_back(msisdn);
        while (entries_.size() > capacity_ && !order_.empty()) {
            entries_.erase(order_.front());
            order_.pop_front();
        }
        it = entries_.find(msisdn);
        if (it == entries_.end()) return {};
    }
    it->second = storage::rules::after_failure(it->second, now_ms, max_wrong_, lockout_ms_);
    return it->second;
}

}  // namespace ussdgw::api
