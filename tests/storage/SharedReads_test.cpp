// Reads of one loop sharing a snapshot (SharedReads) on a real SQLite file: one read
// transaction per loop turn, ended by the task it posts; a change committed through the
// GroupCommitter is read at once (read your writes); without a loop every read is its own
// transaction; a statement still stepping keeps its snapshot.
#include "storage/SharedReads.hpp"

#include <doctest/doctest.h>

#include <deque>
#include <functional>

#include "StorageTestSupport.hpp"

namespace shared_reads_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

// A writable database with a table t(v) whose changes go through a GroupCommitter, a
// read-only connection over it, and a "loop": a queue of posted tasks run on demand.
struct Fixture {
    TempDir dir;
    std::unique_ptr<GroupCommitter> committer;
    std::unique_ptr<Database> reader;
    std::deque<std::function<void()>> posted;

    Fixture() {
        auto db = Database::open(dir.file("reads.db"), {});
        REQUIRE(db.ok());
        committer =
            std::make_unique<GroupCommitter>(std::move(*db), 64, std::chrono::microseconds(0));
        REQUIRE(committer->run_sync<Ok>(
            [](Database& db) { return db.exec("CREATE TABLE t (v INTEGER)"); }));
        Database::Options o;
        o.read_only = true;
        o.create = false;
        auto r = Database::open(dir.file("reads.db"), o);
        REQUIRE(r.ok());
        reader = std::move(*r);
    }
    Post post() {
        return [this](std::function<void()> fn) { posted.push_back(std::move(fn)); };
    }
    void run_posted() {
        while (!posted.empty()) {
            auto fn = std::move(posted.front());
            posted.pop_front();
            fn();
        }
    }
    void insert(int v) {
        REQUIRE(committer->run_sync<Ok>([v](Database& db) -> Status {
            auto q = db.query("INSERT INTO t VALUES (?)");
            if (!q) return Failure{q.error()};
            q->bind(1, v);
            return q->run();
        }));
    }
    static std::int64_t count(Database& db) {
        auto q = db.query("SELECT count(*) FROM t");
        REQUIRE(q.ok());
        auto row = q->step();
        REQUIRE(row.ok());
        REQUIRE(*row);
        return q->int64(0);
    }
    bool in_transaction() const { return sqlite3_get_autocommit(reader->handle()) == 0; }
};

}  // namespace

TEST_CASE("SharedReads: the reads of one loop turn share one transaction, ended by its task") {
    Fixture f;
    SharedReads reads(*f.reader, *f.committer, f.post());
    CHECK(Fixture::count(reads.connection()) == 0);
    CHECK(Fixture::count(reads.connection()) == 0);
    CHECK(Fixture::count(reads.connection()) == 0);
    CHECK(f.in_transaction());
    CHECK(f.posted.size() == 1);  // one end task, however many reads
    CHECK(reads.stats().snapshots == 1);
    CHECK(reads.stats().reads == 3);
    f.run_posted();
    CHECK_FALSE(f.in_transaction());
    // The next turn begins a new snapshot and posts a new end task.
    CHECK(Fixture::count(reads.connection()) == 0);
    CHECK(reads.stats().snapshots == 2);
    CHECK(f.posted.size() == 1);
    f.run_posted();
    CHECK_FALSE(f.in_transaction());
}

TEST_CASE("SharedReads: a change committed by the GroupCommitter is read at once") {
    Fixture f;
    SharedReads reads(*f.reader, *f.committer, f.post());
    CHECK(Fixture::count(reads.connection()) == 0);
    f.insert(1);  // committed while the snapshot is open
    CHECK(Fixture::count(reads.connection()) == 1);
    CHECK(reads.stats().renewals == 1);
    CHECK(reads.stats().snapshots == 2);
    CHECK(f.posted.size() == 1);  // still one end task
    f.run_posted();
    CHECK_FALSE(f.in_transaction());
}

TEST_CASE("SharedReads: a commit by another connection is seen from the next turn on") {
    Fixture f;
    SharedReads reads(*f.reader, *f.committer, f.post());
    CHECK(Fixture::count(reads.connection()) == 0);
    auto other = Database::open(f.dir.file("reads.db"), {});
    REQUIRE(other.ok());
    REQUIRE((*other)->exec("INSERT INTO t VALUES (7)"));
    CHECK(Fixture::count(reads.connection()) == 0);  // the turn's snapshot
    f.run_posted();
    CHECK(Fixture::count(reads.connection()) == 1);
    f.run_posted();
}

TEST_CASE("SharedReads: without a loop every read is its own transaction") {
    Fixture f;
    SharedReads reads(*f.reader, *f.committer, nullptr);
    CHECK(Fixture::count(reads.connection()) == 0);
    CHECK_FALSE(f.in_transaction());
    auto other = Database::open(f.dir.file("reads.db"), {});
    REQUIRE(other.ok());
    REQUIRE((*other)->exec("INSERT INTO t VALUES (7)"));
    CHECK(Fixture::count(reads.connection()) == 1);
    CHECK(reads.stats().snapshots == 0);
}

TEST_CASE("SharedReads: a statement still stepping keeps its snapshot; the end task ends it") {
    Fixture f;
    f.insert(1);
    f.insert(2);
    SharedReads reads(*f.reader, *f.committer, f.post());
    auto q = reads.connection().query("SELECT v FROM t ORDER BY v");
    REQUIRE(q.ok());
    auto row = q->step();
    REQUIRE(row.ok());
    REQUIRE(*row);
    f.insert(3);
    // The renewal cannot end the transaction under a stepping statement: same snapshot.
    Database& db = reads.connection();
    CHECK(&db == f.reader.get());
    CHECK(f.in_transaction());
    row = q->step();
    REQUIRE(row.ok());
    CHECK(*row);
    row = q->step();
    REQUIRE(row.ok());
    CHECK_FALSE(*row);  // two rows: the snapshot from before the third insert
    f.run_posted();
    CHECK(Fixture::count(reads.connection()) == 3);
    f.run_posted();
}

TEST_CASE("SharedReads: an end task that outlives its SharedReads does nothing") {
    Fixture f;
    {
        SharedReads reads(*f.reader, *f.committer, f.post());
        CHECK(Fixture::count(reads.connection()) == 0);
        CHECK(f.in_transaction());
    }
    CHECK_FALSE(f.in_transaction());  // ended by the destructor
    f.run_posted();                   // must not touch the destroyed state
    CHECK_FALSE(f.in_transaction());
}

}  // namespace shared_reads_test
