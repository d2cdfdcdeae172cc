// Cancellation: the race between a requester that may give up on a change and the writer that
// performs it, decided exactly once. A USSD dialogue that is released, times out or is
// replaced by a new dial calls `cancel()`; the storage writer calls `begin_write()` at the
// start of the change's transaction step, before it reads or writes anything. Whoever comes
// first wins, atomically: a cancelled change is never written ("request.annulled"), and a
// requester whose cancel lost knows that the writer has begun and that the change's real
// outcome (written or refused) is on its way. Shared between threads through a shared_ptr.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace ussdgw {

// The error code of a change that was cancelled before it was written: nothing was written.
inline constexpr const char* kAnnulledCode = "request.annulled";

class Cancellation {
  public:
    // The requester gives up. true: the change will never be written (also when it was
    // already cancelled); false: the writer had begun it, its outcome will arrive.
    bool cancel() noexcept { return settle(State::cancelled); }

    // The writer is about to perform the change. true: go ahead (from now on cancel() loses);
    // false: it was cancelled first, write nothing.
    bool begin_write() noexcept { return settle(State::writing); }

    bool cancelled() const noexcept { return state_.load() == State::cancelled; }
    bool writing() const noexcept { return state_.load() == State::writing; }

  private:
    enum class State : std::uint8_t { pending, writing, cancelled };

    // Moves pending -> `to`; true when the state is `to` afterwards (now or before).
    bool settle(State to) noexcept {
        State expected = State::pending;
        if (state_.compare_exchange_strong(expected, to)) return true;
        return expected == to;
    }

    std::atomic<State> state_{State::pending};
};

using CancellationPtr = std::shared_ptr<Cancellation>;

}  // namespace ussdgw
