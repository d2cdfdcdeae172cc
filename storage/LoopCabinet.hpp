// LoopCabinet: the cabinet as one event loop uses it. Lookups run on a read connection of the
// loop's own (a SQLite connection belongs to one thread) inside that loop's shared snapshots
// (SharedReads), and every completion goes through the loop's Post; changes go to the
// Storage's one group-commit writer and Argon2id work to its one hash pool, which every loop
// shares. The Storage owns them all: one for the loop that opened it, and one for each further
// loop (the engine's link loops) from `Storage::cabinet_for_loop`, kept until the Storage
// closes, since the writer and the hashers may run a loop's work after the loop has ended.
// Use it on its loop's thread.
#pragma once

#include <memory>

#include "storage/CabinetService.hpp"
#include "storage/Database.hpp"
#include "storage/SharedReads.hpp"

namespace ussdgw::storage {

class LoopCabinet {
  public:
    // Opens the read connection to `cfg`'s database (read-only, no migrations). The
    // references must outlive the LoopCabinet.
    static Result<std::unique_ptr<LoopCabinet>> open(const StorageConfig& cfg,
                                                     const StorageKey& key,
                                                     GroupCommitter& committer,
                                                     CredentialHasher& hasher, WallClock clock,
                                                     Post post);
    ~LoopCabinet();
    LoopCabinet(const LoopCabinet&) = delete;
    LoopCabinet& operator=(const LoopCabinet&) = delete;

    CabinetService& cabinet() { return *cabinet_; }
    SharedReads& reads() { return *reads_; }

  private:
    LoopCabinet() = default;
    std::unique_ptr<Database> reader_;
    std::unique_ptr<SharedReads> reads_;  // over reader_
    std::unique_ptr<CabinetService> cabinet_;
};

// A read-only connection to the database at `path` (no migrations): what a loop reads on.
Result<std::unique_ptr<Database>> open_read_connection(const std::string& path,
                                                       SyncMode synchronous);

}  // namespace ussdgw::storage
