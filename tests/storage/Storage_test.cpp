// Crash durability: a child process performs acknowledged writes (each acknowledgement is
// written to a pipe only from the commit callback) and is killed with SIGKILL mid-stream.
// After reopening, every acknowledged change must be present and the database must pass
// PRAGMA integrity_check.
//
// The child is made with fork() without exec: the test checks that the process is
// single-threaded at that moment (no storage object of another test is alive), so the
// child starts from a consistent copy, opens its own Storage and never returns into doctest.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <set>

#include "StorageTestSupport.hpp"

namespace storage_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

std::size_t thread_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}

// Runs in the child: writes forever (in batches of concurrent changes), acknowledging each
// change on `fd` after its commit. Each change is a client row plus an outbox message and
// an access change with its audit entry.
[[noreturn]] void crash_child(const StorageConfig& cfg, int fd) {
    auto st = Storage::open(cfg);
    if (!st) _exit(3);
    Storage& s = **st;
    std::mutex mu;
    std::condition_variable cv;
    int in_flight = 0;
    for (std::int64_t i = 0;; ++i) {
        {
            std::unique_lock lk(mu);
            cv.wait(lk, [&] { return in_flight < 64; });
            ++in_flight;
        }
        s.committer().submit<Ok>(
            [i, &s](Database& db) -> Status {
                auto q = db.query("INSERT INTO clients (id, kind) VALUES (?, 'individual')");
                if (!q) return Failure{q.error()};
                q->bind(1, "crash-" + std::to_string(i));
                if (auto r = q->run(); !r) return r;
                SmsOutbox box(db, s.key(), outbox_policy(s.config()));
                auto id = box.enqueue(Msisdn::from_number(375290000000 + i), "test",
                                      "message " + std::to_string(i), s.now());
                if (!id) return Failure{id.error()};
                return ok_status();
            },
            nullptr,
            [i, fd, &mu, &cv, &in_flight](Status r) {
                if (r) {
                    if (::write(fd, &i, sizeof i) != sizeof i) _exit(4);
                }
                std::lock_guard lk(mu);
                --in_flight;
                cv.notify_one();
            });
    }
}

}  // namespace

TEST_CASE("acknowledged writes survive SIGKILL and the database stays intact") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    cfg.synchronous = SyncMode::full;
    { REQUIRE(Storage::open(cfg).ok()); }  // create database and key file
    REQUIRE_MESSAGE(thread_count() == 1, "fork needs a single-threaded test process");

    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        crash_child(cfg, fds[1]);
    }
    ::close(fds[1]);

    // Read acknowledgements until enough arrived (bounded in time), then kill mid-stream.
    std::set<std::int64_t> acked;
    const std::size_t wanted = 3000;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string buf;
    auto take_acked = [&] {  // every whole id read so far
        while (buf.size() >= sizeof(std::int64_t)) {
            std::int64_t id;
            std::memcpy(&id, buf.data(), sizeof id);
            acked.insert(id);
            buf.erase(0, sizeof id);
        }
    };
    while (acked.size() < wanted && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 1000) <= 0) continue;
        char chunk[4096];
        ssize_t n = ::read(fds[0], chunk, sizeof chunk);
        if (n <= 0) break;
        buf.append(chunk, static_cast<std::size_t>(n));
        take_acked();
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Acknowledgements that were in the pipe when the child died count too.
    for (;;) {
        char chunk[4096];
        ssize_t n = ::read(fds[0], chunk, sizeof chunk);
        if (n <= 0) break;
        buf.append(chunk, static_cast<std::size_t>(n));
    }
    take_acked();
    ::close(fds[0]);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    REQUIRE(acked.size() >= wanted);
    MESSAGE("acknowledged changes before SIGKILL: " << acked.size());

    auto st = Storage::open(cfg);
    REQUIRE(st.ok());
    auto check = (*st)->committer().run_sync<std::string>([](Database& db) -> Result<std::string> {
        auto q = db.query("PRAGMA integrity_check");
        if (!q) return Failure{q.error()};
        (void)q->step();
        return q->text(0);
    });
    REQUIRE(check.ok());
    CHECK(*check == "ok");
    auto missing =
        (*st)->committer().run_sync<std::int64_t>([&acked](Database& db) -> Result<std::int64_t> {
            std::int64_t missing = 0;
            for (auto id : acked) {
                auto q = db.query("SELECT 1 FROM clients WHERE id = ?");
                if (!q) return Failure{q.error()};
                q->bind(1, "crash-" + std::to_string(id));
                auto row = q->step();
                if (!row || !*row) ++missing;
                auto o = db.query("SELECT count(*) FROM sms_outbox WHERE msisdn = ?");
                if (!o) return Failure{o.error()};
                o->bind(1, 375290000000 + id);
                (void)o->step();
                if (o->int64(0) != 1) ++missing;
            }
            return missing;
        });
    REQUIRE(missing.ok());
    CHECK(*missing == 0);
    // the outbox messages accepted before the crash are still pending
    auto pending = (*st)->committer().run_sync<int>([&st](Database& db) {
        SmsOutbox box(db, (*st)->key(), outbox_policy((*st)->config()));
        return box.count_in_state(OutboxState::pending);
    });
    CHECK(*pending >= static_cast<int>(acked.size()));
}

TEST_CASE("after a clean close the database file alone holds every committed change") {
    // An operator who stops the engine and copies subscribers.db must not need its -wal.
    TempDir dir;
    const StorageConfig cfg = test_config(dir);
    const std::string wal = cfg.database_path + "-wal";
    std::unique_ptr<Database> idle;  // another process's reader, open past the close
    {
        auto st = Storage::open(cfg);
        REQUIRE(st.ok());
        // A loop whose end-of-turn task never runs: its reader keeps a snapshot to the end.
        auto loop = (*st)->cabinet_for_loop([](std::function<void()>) {});
        REQUIRE(loop.ok());
        for (int i = 0; i < 300; ++i) {
            auto added = (*st)->committer().run_sync<Ok>([i](Database& db) -> Status {
                return db.run(
                    fmt::format("INSERT INTO clients (id, kind) VALUES ('c{}', "
                                "'individual')",
                                i));
            });
            REQUIRE(added.ok());
        }
        auto seen = (*loop)->reads().connection().query("SELECT count(*) FROM clients");
        REQUIRE(seen.ok());
        REQUIRE(*seen->step());
        CHECK(seen->int64(0) == 300);
        auto reader = open_read_connection(cfg.database_path, cfg.synchronous);
        REQUIRE(reader.ok());
        idle = std::move(*reader);
        REQUIRE(std::filesystem::file_size(wal) > 0);
    }
    CHECK(std::filesystem::file_size(wal) == 0);  // still open elsewhere, but empty
    idle.reset();
    const std::string copy = dir.file("copy.db");
    std::filesystem::copy_file(cfg.database_path, copy);
    auto db = Database::open(copy, {.create = false});
    REQUIRE(db.ok());
    auto q = (*db)->query("SELECT count(*) FROM clients");
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    CHECK(q->int64(0) == 300);
}

}  // namespace storage_test
