// Group commit: one writer thread owns the writable connection and runs every change in
// batches, many changes to one transaction and one fsync. Each change runs inside its own
// SAVEPOINT, so a refused change rolls back alone; its callback fires only after the
// batch's COMMIT returned, so a caller that replies from the callback never tells a
// subscriber about a change that is not durable yet. A change submitted with a
// Cancellation is claimed (`begin_write`) before its savepoint opens: when its requester
// cancelled first, nothing of it runs and its result is "request.annulled". When a
// savepoint cannot be opened, released or rolled back, or COMMIT fails, the whole batch is
// rolled back and every change in it gets that error: none is acknowledged. Given a second
// connection, a WalCheckpointer takes the checkpoints out of the writer's commits.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Metrics.hpp"
#include "storage/Completion.hpp"
#include "storage/Database.hpp"
#include "storage/WalCheckpointer.hpp"

namespace ussdgw::storage {

class GroupCommitter {
  public:
    // `checkpoint_db`: a second writable connection to `db`'s database for a WalCheckpointer;
    // without one, SQLite checkpoints in the writer's commits.
    GroupCommitter(std::unique_ptr<Database> db, std::size_t max_batch,
                   std::chrono::microseconds max_delay,
                   std::unique_ptr<Database> checkpoint_db = nullptr);
    // Commits what is queued, then stops the writer thread and the checkpointer. For closing
    // only: a job submitted after it never runs. Idempotent.
    void stop();
    // stop(), then copies the WAL into the database file and empties it (a checkpoint that
    // waits at most a second for readers), so that after a clean shutdown the database file
    // alone holds every committed change, and closes the connection.
    ~GroupCommitter();
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // Runs `work` on the writer thread inside the next batch; `done` gets its result
    // through `post` after the batch committed (or the commit error if COMMIT failed).
    // With `cancellation`, `work` runs only if the writer claims it before it is cancelled;
    // otherwise `done` gets "request.annulled" and nothing was written.
    template <typename T>
    void submit(std::function<Result<T>(Database&)> work, Post post,
                std::function<void(Result<T>)> done, CancellationPtr cancellation = nullptr);

    // A domain change: like submit, but a refusal (an error whose code is not "storage.*")
    // keeps what `work` wrote before refusing (counters, audit entries) and is handed to
    // `done` as the result; a storage failure rolls the change's savepoint back.
    template <typename T>
    void submit_change(std::function<Result<T>(Database&)> work, Post post,
                       std::function<void(Result<T>)> done, CancellationPtr cancellation = nullptr);

    // Blocks the calling thread until `work` is committed (CLI and tests, never the loop).
    template <typename T>
    Result<T> run_sync(std::function<Result<T>(Database&)> work);

    struct Stats {
        std::uint64_t batches = 0;
        std::uint64_t changes = 0;
    };
    Stats stats() const;
    // Changes per committed batch, and the time from BEGIN to the end of COMMIT (the
    // batch's work and its fsync). Updated on the writer thread; read from any thread.
    const metrics::Histogram& batch_sizes() const { return batch_sizes_; }
    const metrics::Histogram& commit_seconds() const { return commit_seconds_; }
    // Batches committed so far; it grows before their callbacks are posted (SharedReads
    // renews its snapshot when it changed). Any thread.
    std::uint64_t commits() const { return commits_.load(std::memory_order_acquire); }
    // The checkpointer's figures (all zero without one). Any thread.
    WalCheckpointer::Stats checkpoint_stats() const;

  private:
    struct Job {
        std::function<bool(Database&)> work;                   // true: keep, false: roll back
        std::function<void()> annul;                           // cancelled before it ran
        std::function<void(const Error* batch_error)> finish;  // after COMMIT (or its failure)
        CancellationPtr cancellation;                          // may be null
    };
    void enqueue(Job job);
    void run();
    void run_batch(std::deque<Job>& batch);
    // Runs every job of the batch, each in its own savepoint; fails when a savepoint does.
    Status run_jobs(Database& db, std::deque<Job>& batch);

    std::unique_ptr<WalCheckpointer> checkpointer_;  // before db_: its hook outlives the commits
    std::unique_ptr<Database> db_;
    std::size_t max_batch_;
    std::chrono::microseconds max_delay_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    Stats stats_;
    std::atomic<std::uint64_t> commits_{0};
    metrics::Histogram batch_sizes_{metrics::size_buckets()};
    metrics::Histogram commit_seconds_{metrics::latency_buckets()};
    std::thread writer_;
};

template <typename T>
void GroupCommitter::submit(std::function<Result<T>(Database&)> work, Post post,
                            std::function<void(Result<T>)> done, CancellationPtr cancellation) {
    auto slot = std::make_shared<std::optional<Result<T>>>();
    Job job;
    job.work = [slot, work = std::move(work)](Database& db) {
        slot->emplace(work(db));
        return (*slot)->ok();
    };
    job.annul = [slot] { slot->emplace(fail(kAnnulledCode, "annulled before it was written")); };
    job.cancellation = std::move(cancellation);
    job.finish = [slot, post = std::move(post), done = std::move(done)](const Error* err) {
        auto deliver = [slot, done, failed = err ? std::optional<Error>(*err) : std::nullopt]() {
            if (failed)
                done(Result<T>(Unexpected<Error>{*failed}));
            else
                done(std::move(**slot));
        };
        if (post)
            post(std::move(deliver));
        else
            deliver();
    };
    enqueue(std::move(job));
}

template <typename T>
void GroupCommitter::submit_change(std::function<Result<T>(Database&)> work, Post post,
                                   std::function<void(Result<T>)> done,
                                   CancellationPtr cancellation) {
    using Outer = Result<Result<T>>;
    submit<Result<T>>(
        [work = std::move(work)](Database& db) -> Outer {
            Result<T> r = work(db);
            if (!r && r.error().code.rfind("storage.", 0) == 0) return Failure{r.error()};
            return Outer(std::move(r));
        },
        std::move(post),
        [done = std::move(done)](Outer r) {
            if (!r)
                done(Result<T>(Failure{r.error()}));
            else
                done(std::move(*r));
        },
        std::move(cancellation));
}

template <typename T>
Result<T> GroupCommitter::run_sync(std::function<Result<T>(Database&)> work) {
    std::promise<Result<T>> promise;
    auto future = promise.get_future();
    submit<T>(std::move(work), nullptr,
              [&promise](Result<T> r) { promise.set_value(std::move(r)); });
    return future.get();
}

}  // namespace ussdgw::storage
