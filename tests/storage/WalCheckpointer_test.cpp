// The checkpointer on a real SQLite file: the writer's commits no longer checkpoint, the
// thread copies the WAL and the WAL starts over, a reader's old snapshot brings the writer's
// backstop in, and a clean close still leaves the database file complete.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "StorageTestSupport.hpp"

namespace wal_checkpointer_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

constexpr int kRowsPerCommit = 250;  // a row of 4,000 bytes fills a page of 4 KiB

struct Wal {
    TempDir dir;
    std::string path = dir.file("wal.db");
    std::unique_ptr<GroupCommitter> committer;

    Wal() {
        Database::Options options;
        options.synchronous = SyncMode::normal;  // fewer fsyncs: the test is about checkpoints
        auto writer = Database::open(path, options);
        auto second = Database::open(path, options);
        REQUIRE(writer.ok());
        REQUIRE(second.ok());
        committer = std::make_unique<GroupCommitter>(
            std::move(*writer), 64, std::chrono::microseconds(0), std::move(*second));
        REQUIRE(committer->run_sync<Ok>(
            [](Database& db) { return db.exec("CREATE TABLE t (v BLOB)"); }));
    }

    void commit_pages() {
        REQUIRE(committer->run_sync<Ok>([](Database& db) -> Status {
            for (int i = 0; i < kRowsPerCommit; ++i)
                if (auto st = db.exec("INSERT INTO t VALUES (zeroblob(4000))"); !st) return st;
            return ok_status();
        }));
    }

    WalCheckpointer::Stats stats() const { return committer->checkpoint_stats(); }

    // The checkpointer runs on its own: wait (bounded) for it to have run `n` checkpoints.
    bool wait_checkpoints(std::uint64_t n) {
        const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (stats().checkpoints < n) {
            if (std::chrono::steady_clock::now() > limit) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return true;
    }

    std::int64_t rows(Database& db) {
        auto q = db.query("SELECT count(*) FROM t");
        REQUIRE(q.ok());
        REQUIRE(*q->step());
        return q->int64(0);
    }
};

}  // namespace

TEST_CASE("WalCheckpointer: the thread copies the WAL, not the commits, and the WAL starts over") {
    Wal w;
    std::uint64_t largest = 0;
    for (int commit = 0; commit < 16; ++commit) {
        w.commit_pages();
        const auto s = w.stats();
        largest = std::max(largest, s.wal_pages);
        // Past the wake threshold the thread was woken; the commit returned without waiting.
        if (s.wal_pages >= WalCheckpointer::kWakePages)
            REQUIRE(w.wait_checkpoints(s.checkpoints + 1));
    }
    const auto s = w.stats();
    CHECK(s.checkpoints >= 3);  // 4,000 pages written, a checkpoint per 1,000 or so
    CHECK(s.by_writer == 0);
    // The WAL started over after each complete checkpoint instead of growing: 16 commits of
    // 250 pages never left more than the threshold and a commit in it.
    CHECK(largest < static_cast<std::uint64_t>(WalCheckpointer::kWakePages + kRowsPerCommit + 8));
    CHECK(std::filesystem::file_size(w.path + "-wal") <
          (WalCheckpointer::kWakePages + kRowsPerCommit + 8) * (4096 + 24) + 32);

    // A clean close: the database file alone holds every row.
    w.committer.reset();
    CHECK((!std::filesystem::exists(w.path + "-wal") ||
           std::filesystem::file_size(w.path + "-wal") == 0));
    TempDir copy_dir;
    std::filesystem::copy_file(w.path, copy_dir.file("copy.db"));
    auto copy = Database::open(copy_dir.file("copy.db"), {});
    REQUIRE(copy.ok());
    CHECK(w.rows(**copy) == 16 * kRowsPerCommit);
}

TEST_CASE("WalCheckpointer: with a reader on an old snapshot the writer's backstop runs") {
    Wal w;
    auto reader = Database::open(w.path, {});
    REQUIRE(reader.ok());
    REQUIRE((*reader)->exec("BEGIN"));
    CHECK(w.rows(**reader) == 0);  // the snapshot: no frame of the WAL can be copied past it
    const int commits = WalCheckpointer::kWriterPages / kRowsPerCommit + 2;
    for (int commit = 0; commit < commits; ++commit)
        w.commit_pages();
    const auto pinned = w.stats();
    CHECK(pinned.wal_pages >= static_cast<std::uint64_t>(WalCheckpointer::kWriterPages));
    CHECK(pinned.by_writer >= 1);
    CHECK(w.rows(**reader) == 0);  // the reader's snapshot is intact

    // The reader lets go: the next commit's checkpoint (the WAL is still past the backstop)
    // copies everything, and the one after starts the WAL over.
    REQUIRE((*reader)->exec("COMMIT"));
    w.commit_pages();
    CHECK(w.stats().by_writer > pinned.by_writer);
    w.commit_pages();
    CHECK(w.stats().wal_pages < static_cast<std::uint64_t>(WalCheckpointer::kWakePages));
    CHECK(w.rows(**reader) == (commits + 2) * kRowsPerCommit);
}

}  // namespace wal_checkpointer_test
