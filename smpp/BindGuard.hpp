// BindGuard: bind failures slow down, then stop, the binds of an address and of an account,
// so that the listener's passwords cannot be guessed at line speed. Sans-I/O: the caller
// gives the time; SmppServer asks it before every bind and tells it the outcome.
//
// Failures are counted per peer address and per existing account (an unknown system_id
// counts for its address only, so a guesser cannot fill memory with names); a count is
// forgotten `window` after its last failure, and a successful bind clears the counts of its
// address and account. From `slowdown_after` failures on, every answer to a bind from that
// address or for that account waits (right or wrong: a quick answer must not tell that a
// guess was right) `slowdown`, doubled with each further failure, at most `max_delay`. From
// `lockout_after` failures of an address (`account_lockout_after` of an account) its binds
// are refused at once without looking at the password, until the count is forgotten.
// Refusals while locked out are not counted, so a lockout ends `window` after the last real
// failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "smpp/SmppConfig.hpp"

namespace ussdgw::smpp {

class BindGuard {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit BindGuard(BindGuardConfig config = {}) : config_(config) {}

    struct Decision {
        bool locked = false;  // refuse without checking the credentials
        Millis delay{0};      // answer (whatever it is) this long after the bind arrived
    };
    // Before a bind from `address` for `account` ("" when there is no such account).
    Decision check(std::string_view address, std::string_view account, TimePoint now);
    // The credentials were wrong (unknown system_id or wrong password).
    void failed(std::string_view address, std::string_view account, TimePoint now);
    void succeeded(std::string_view address, std::string_view account);

    std::size_t addresses_tracked() const { return addresses_.size(); }

  private:
    struct Count {
        std::uint32_t failures = 0;
        TimePoint last{};
    };
    using Counts = std::unordered_map<std::string, Count>;

    std::uint32_t current(Counts& counts, std::string_view key, TimePoint now);
    void count(Counts& counts, std::string_view key, TimePoint now, std::size_t limit);

    BindGuardConfig config_;
    Counts addresses_;
    Counts accounts_;
};

}  // namespace ussdgw::smpp
