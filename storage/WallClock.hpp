// Wall-clock time as storage records it: milliseconds since the Unix epoch, from the system
// clock (timestamps in rows, lockout ends, SMS rate windows). Not the steady clock that the
// engine's dialogues and timers use: a stored time must mean the same after a restart.
#pragma once

#include <cstdint>
#include <functional>

namespace ussdgw::storage {

// A source of wall-clock time in ms since the epoch (tests pass one they move by hand).
using WallClock = std::function<std::int64_t()>;

// Milliseconds since the Unix epoch from the system clock.
std::int64_t system_clock_ms();

}  // namespace ussdgw::storage
