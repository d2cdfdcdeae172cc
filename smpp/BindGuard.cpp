#include "smpp/BindGuard.hpp"

#include <algorithm>
#include <limits>

namespace ussdgw::smpp {

std::uint32_t BindGuard::current(Counts& counts, std::string_view key, TimePoint now) {
    if (key.empty()) return 0;
    auto it = counts.find(std::string(key));
    if (it == counts.end()) return 0;
    if (now - it->second.last >= config_.window) {
        counts.erase(it);
        return 0;
    }
    return it->second.failures;
}

BindGuard::Decision BindGuard::check(std::string_view address, std::string_view account,
                                     TimePoint now) {
    const std::uint32_t by_address = current(addresses_, address, now);
    const std::uint32_t by_account = current(accounts_, account, now);
    Decision d;
    d.locked = (config_.lockout_after > 0 && by_address >= config_.lockout_after) ||
               (config_.account_lockout_after > 0 && by_account >= config_.account_lockout_after);
    if (d.locked) return d;  // refused at once: the answer tells nothing about the password
    const std::uint32_t n = std::max(by_address, by_account);
    if (config_.slowdown_after > 0 && n >= config_.slowdown_after) {
        Millis delay = config_.slowdown;
        for (std::uint32_t i = config_.slowdown_after; i < n && delay < config_.max_delay; ++i)
            delay *= 2;
        d.delay = std::min(delay, config_.max_delay);
    }
    return d;
}

void BindGuard::count(Counts& counts, std::string_view key, TimePoint now, std::size_t limit) {
    if (key.empty()) return;
    auto it = counts.find(std::string(key));
    if (it == counts.end()) {
        if (counts.size() >= limit) {
            // Full: forget what has expired, else the address idle the longest.
            std::erase_if(counts,
                          [&](const auto& kv) { return now - kv.second.last >= config_.window; });
            if (counts.size() >= limit) {
                auto oldest = std::min_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                    return a.second.last < b.second.last;
                });
                counts.erase(oldest);
            }
        }
        it = counts.emplace(std::string(key), Count{}).first;
    } else if (now - it->second.last >= config_.window) {
        it->second.failures = 0;
    }
    ++it->second.failures;
    it->second.last = now;
}

void BindGuard::failed(std::string_view address, std::string_view account, TimePoint now) {
    count(addresses_, address, now, std::max<std::size_t>(config_.max_addresses, 1));
    count(accounts_, account, now, std::numeric_limits<std::size_t>::max());
}

void BindGuard::succeeded(std::string_view address, std::string_view account) {
    addresses_.erase(std::string(address));
    accounts_.erase(std::string(account));
}

}  // namespace ussdgw::smpp
