// The group-commit writer on a real SQLite file: batching, a refused change rolling back
// alone, savepoint and COMMIT failures failing the whole batch (nothing acknowledged),
// cancelled changes never run, and what is queued is committed before the writer stops.
#include <doctest/doctest.h>

#include <future>
#include <vector>

#include "StorageTestSupport.hpp"

namespace group_committer_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct Writer {
    TempDir dir;
    std::unique_ptr<GroupCommitter> committer;

    explicit Writer(std::size_t max_batch = 1024) {
        auto db = Database::open(dir.file("gc.db"), {});
        REQUIRE(db.ok());
        committer = std::make_unique<GroupCommitter>(std::move(*db), max_batch,
                                                     std::chrono::microseconds(0));
        REQUIRE(committer->run_sync<Ok>([](Database& db) {
            return db.exec(
                "CREATE TABLE t (v TEXT); CREATE TABLE parent (id INTEGER PRIMARY KEY); "
                "CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY "
                "DEFERRED)");
        }));
    }

    // Holds the writer until release(): what is submitted meanwhile forms the next batches.
    std::optional<HeldWriter> held;
    void hold() { held.emplace(*committer); }
    void release() { held->release(); }

    // Inserts `v` into t; `result` says how the change ends.
    std::future<Status> insert(std::string v, Status result = ok_status()) {
        auto p = std::make_shared<std::promise<Status>>();
        auto f = p->get_future();
        committer->submit<Ok>(
            [v, result](Database& db) -> Status {
                auto q = db.query("INSERT INTO t VALUES (?)");
                if (!q) return Failure{q.error()};
                q->bind(1, v);
                if (auto st = q->run(); !st) return st;
                return result;
            },
            nullptr, [p](Status s) { p->set_value(std::move(s)); });
        return f;
    }
    std::future<Status> change(std::function<Status(Database&)> work) {
        auto p = std::make_shared<std::promise<Status>>();
        auto f = p->get_future();
        committer->submit<Ok>(std::move(work), nullptr,
                              [p](Status s) { p->set_value(std::move(s)); });
        return f;
    }
    std::vector<std::string> rows() {
        auto r = committer->run_sync<std::vector<std::string>>(
            [](Database& db) -> Result<std::vector<std::string>> {
                std::vector<std::string> out;
                auto q = db.query("SELECT v FROM t ORDER BY rowid");
                if (!q) return Failure{q.error()};
                while (true) {
                    auto row = q->step();
                    if (!row) return Failure{row.error()};
                    if (!*row) break;
                    out.push_back(q->text(0));
                }
                return out;
            });
        REQUIRE(r.ok());
        return *r;
    }
};

}  // namespace

TEST_CASE("changes queued while the writer is busy are committed in batches of max_batch") {
    Writer w(3);
    auto before = w.committer->stats();
    w.hold();
    std::vector<std::future<Status>> done;
    for (int i = 0; i < 7; ++i)
        done.push_back(w.insert("v" + std::to_string(i)));
    w.release();
    for (auto& f : done)
        CHECK(f.get().ok());
    auto after = w.committer->stats();
    // The holding change alone, then 3 + 3 + 1.
    CHECK(after.batches - before.batches == 4);
    CHECK(after.changes - before.changes == 8);
    CHECK(w.rows() == std::vector<std::string>{"v0", "v1", "v2", "v3", "v4", "v5", "v6"});
}

TEST_CASE("a refused change inside a batch rolls back alone") {
    Writer w;
    w.hold();
    auto a = w.insert("a");
    auto b = w.insert("b", fail("cabinet.refused", "refused after writing"));
    auto c = w.insert("c");
    w.release();
    CHECK(a.get().ok());
    CHECK(b.get().error().code == "cabinet.refused");
    CHECK(c.get().ok());
    CHECK(w.rows() == std::vector<std::string>{"a", "c"});
}

TEST_CASE("a COMMIT that fails fails every change of the batch; the next batch commits") {
    Writer w;
    w.hold();
    auto a = w.insert("a");
    // A deferred foreign key is checked at COMMIT: this change makes COMMIT fail.
    auto orphan = w.change([](Database& db) { return db.exec("INSERT INTO child VALUES (42)"); });
    w.release();
    auto ra = a.get();
    REQUIRE_FALSE(ra.ok());
    CHECK(ra.error().message.find("FOREIGN KEY") != std::string::npos);
    CHECK_FALSE(orphan.get().ok());
    CHECK(w.rows().empty());  // nothing of the batch was committed
    CHECK(w.insert("later").get().ok());
    CHECK(w.rows() == std::vector<std::string>{"later"});
}

TEST_CASE("a savepoint that cannot be released fails the batch instead of being ignored") {
    Writer w;
    w.hold();
    auto a = w.insert("a");
    // A change that releases its own savepoint: the writer's RELEASE then fails.
    auto rogue = w.change([](Database& db) { return db.exec("RELEASE change"); });
    auto c = w.insert("c");
    w.release();
    CHECK_FALSE(a.get().ok());
    auto r = rogue.get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("change") != std::string::npos);
    CHECK_FALSE(c.get().ok());
    CHECK(w.rows().empty());
    // A change that rolls back after losing its savepoint: ROLLBACK TO fails the same way.
    auto lost = w.change([](Database& db) -> Status {
        (void)db.exec("RELEASE change");
        return fail("cabinet.refused");
    });
    CHECK(lost.get().error().code == "storage.sqlite");
    CHECK(w.insert("after").get().ok());
    CHECK(w.rows() == std::vector<std::string>{"after"});
}

TEST_CASE("a cancelled change never runs; a claimed one cannot be cancelled") {
    Writer w;
    w.hold();
    auto cancelled = std::make_shared<Cancellation>();
    auto claimed = std::make_shared<Cancellation>();
    std::promise<Status> r1, r2;
    bool ran = false;
    w.committer->submit<Ok>(
        [&ran](Database&) -> Status {
            ran = true;
            return ok_status();
        },
        nullptr, [&r1](Status s) { r1.set_value(std::move(s)); }, cancelled);
    std::promise<void> inside, go_on;
    w.committer->submit<Ok>(
        [&inside, &go_on](Database& db) -> Status {
            inside.set_value();
            go_on.get_future().wait();
            return db.exec("INSERT INTO t VALUES ('claimed')");
        },
        nullptr, [&r2](Status s) { r2.set_value(std::move(s)); }, claimed);
    CHECK(cancelled->cancel());
    w.release();
    inside.get_future().wait();  // the writer has begun the second change
    CHECK_FALSE(claimed->cancel());
    go_on.set_value();
    CHECK(r1.get_future().get().error().code == "request.annulled");
    CHECK_FALSE(ran);
    CHECK(r2.get_future().get().ok());
    CHECK(w.rows() == std::vector<std::string>{"claimed"});
}

TEST_CASE("what is queued when the writer stops is committed first") {
    Writer w;
    w.hold();
    std::vector<std::future<Status>> queued;
    for (int i = 0; i < 5; ++i)
        queued.push_back(w.insert("q" + std::to_string(i)));
    w.release();
    w.committer.reset();  // stops the writer
    for (auto& f : queued)
        CHECK(f.get().ok());
    auto db = Database::open(w.dir.file("gc.db"), {});
    REQUIRE(db.ok());
    auto q = (*db)->query("SELECT count(*) FROM t");
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    CHECK(q->int64(0) == 5);
}

}  // namespace group_committer_test
