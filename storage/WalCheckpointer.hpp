// Checkpoints off the commit path. In WAL mode a commit appends its pages to the WAL; a
// checkpoint copies them into the database file and syncs it, so that the WAL can start over.
// SQLite's own auto-checkpoint runs inside the COMMIT that leaves 1,000 pages or more in the
// WAL, that is on the group-commit writer: the copy and the database file's fsync delay that
// batch's acknowledgements while the next batch waits behind them. A change for a subscriber
// anywhere in the table puts two or three pages of their own in the WAL (the row's leaf, the
// audit log's leaf and its index's), so these checkpoints are large. In the USSD benchmark,
// with the subscribers scattered over the table, the writer completed about a quarter fewer
// dialogues per second with them than without them.
//
// A WalCheckpointer runs them on a thread and a connection of its own instead:
// - `watch(writer)` replaces the writer connection's auto-checkpoint with a WAL hook. After a
//   commit that leaves at least kWakePages in the WAL, the hook wakes the thread (a flag and a
//   notify: the commit does not wait for the checkpoint);
// - the thread runs a PASSIVE checkpoint: it copies what no reader still needs, and it never
//   waits for a reader or for the writer. Once all of the WAL was copied, the writer starts
//   the WAL over at its next transaction, as before;
// - the WAL's size stays bounded: if it still reaches kWriterPages (the thread cannot keep up,
//   or a reader keeps an old snapshot), the writer checkpoints in its commit, as SQLite would.
// Durability is unchanged: with synchronous = full a checkpoint syncs the WAL before it copies
// and the database file after, whichever thread runs it. The GroupCommitter owns one and stops
// it before its own last checkpoint (GroupCommitter.hpp).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "storage/Database.hpp"

namespace ussdgw::storage {

class WalCheckpointer {
  public:
    // SQLite's own threshold (4 MiB of 4 KiB pages), now the one that wakes the thread.
    static constexpr int kWakePages = 1000;
    // The writer's backstop: about 64 MiB of WAL.
    static constexpr int kWriterPages = 16000;

    // `db`: a writable connection of its own to the writer's database.
    explicit WalCheckpointer(std::unique_ptr<Database> db);
    ~WalCheckpointer();  // stop()
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    // Installs the WAL hook on the writer's connection (before its first commit; the
    // checkpointer must outlive the connection's commits). Once.
    void watch(Database& writer);
    // Ends the thread after the checkpoint it may be running and closes its connection;
    // wakes after it do nothing. Idempotent.
    void stop();

    struct Stats {
        std::uint64_t checkpoints = 0;  // run by the thread
        std::uint64_t by_writer = 0;    // run in a commit, the WAL at kWriterPages or more
        std::uint64_t wal_pages = 0;    // the WAL's size after the last commit
    };
    Stats stats() const;

  private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
    void run();

    std::unique_ptr<Database> db_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool wanted_ = false, stopping_ = false;
    bool failing_ = false;  // the thread's last checkpoint failed (its own)
    Stats stats_;
    std::thread thread_;  // last: starts once the members above exist
};

}  // namespace ussdgw::storage
