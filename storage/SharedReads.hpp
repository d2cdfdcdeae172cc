// Reads on an event loop share one read transaction (one WAL snapshot). SQLite takes and
// drops its file locks for every transaction (on Linux four fcntl calls and two stats), so a
// loop that runs each lookup in its own autocommit transaction pays six system calls per
// lookup; under load they were a fifth of the engine's CPU per USSD dialogue. With shared
// reads a burst of lookups pays them once:
// - `connection()` opens the read transaction if none is open and schedules its end through
//   the loop's Post, so it ends once the loop has run the handlers queued before it (a loop
//   turn; the snapshot never outlives a burst, and checkpoints are not held back);
// - a change committed by the GroupCommitter since the snapshot began renews it before the
//   next read, so a reply built after a commit's callback always reads that commit (read your
//   writes). A commit by another process is seen from the next loop turn on.
// Without a Post (the CLI, tests that run no loop) every read is its own transaction. If a
// transaction cannot be begun, reads fall back to autocommit: nothing fails because of this
// optimisation. One thread uses a SharedReads (the thread that owns its connection).
#pragma once

#include <cstdint>

#include "engine/base/Lifetime.hpp"
#include "storage/Completion.hpp"
#include "storage/Database.hpp"
#include "storage/GroupCommitter.hpp"

namespace ussdgw::storage {

class SharedReads {
  public:
    SharedReads(Database& db, const GroupCommitter& committer, Post post);
    ~SharedReads();
    SharedReads(const SharedReads&) = delete;
    SharedReads& operator=(const SharedReads&) = delete;

    // The connection, inside the current shared snapshot (begun or renewed as above).
    Database& connection();
    // Ends the shared read transaction now (it is also ended by the posted task).
    void end();

    struct Stats {
        std::uint64_t snapshots = 0;  // read transactions begun
        std::uint64_t renewals = 0;   // of them, begun again because a commit landed
        std::uint64_t reads = 0;      // connection() calls
    };
    Stats stats() const { return stats_; }

  private:
    Database& db_;
    const GroupCommitter& committer_;
    Post post_;
    bool end_posted_ = false;
    std::uint64_t commits_seen_ = 0;
    Stats stats_;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::storage
