// The API's in-memory counters, with no socket and no clock of their own (time is passed in):
// - per source address, events within a fixed window (wrong logins, wrong codes, code
//   requests): past the limit the address is refused until the window ends, so that one
//   address cannot try one password on many numbers or flood phones with codes;
// - per unknown number, wrong logins counted and locked out exactly as a subscriber's are
//   (storage's rules), so that an unknown number is answered like a known one.
// Both are bounded: past their capacity the oldest entries are forgotten.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "storage/CabinetRules.hpp"

namespace ussdgw::api {

class AddressLimiter {
  public:
    AddressLimiter(int limit, std::int64_t window_ms, std::size_t capacity)
        : limit_(limit), window_ms_(window_ms), capacity_(capacity) {}

    // When the address is refused: the end of its window.
    std::optional<std::int64_t> blocked_until(const std::string& address,
                                              std::int64_t now_ms) const;
    void record(const std::string& address, std::int64_t now_ms);
    std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::int64_t window_start = 0;
        int count = 0;
    };
    int limit_;
    std::int64_t window_ms_;
    std::size_t capacity_;
    std::unordered_map<std::string, Entry> entries_;
    std::deque<std::string> order_;
};

class UnknownNumbers {
  public:
    UnknownNumbers(int max_wrong, std::int64_t lockout_ms, std::size_t capacity)
        : max_wrong_(max_wrong), lockout_ms_(lockout_ms), capacity_(capacity) {}

    storage::rules::AttemptCounter counter(std::int64_t msisdn) const;
    // One more wrong login: the counter after it.
    storage::rules::AttemptCounter fail(std::int64_t msisdn, std::int64_t now_ms);
    int max_wrong() const { return max_wrong_; }
    std::size_t size() const { return entries_.size(); }

  private:
    int max_wrong_;
    std::int64_t lockout_ms_;
    std::size_t capacity_;
    std::unordered_map<std::int64_t, storage::rules::AttemptCounter> entries_;
    std::deque<std::int64_t> order_;
};

}  // namespace ussdgw::api
