#include "storage/GroupCommitter.hpp"

#include "engine/base/Log.hpp"
#include "engine/base/ThreadName.hpp"

namespace ussdgw::storage {

GroupCommitter::GroupCommitter(std::unique_ptr<Database> db, std::size_t max_batch,
                               std::chrono::microseconds max_delay,
                               std::unique_ptr<Database> checkpoint_db)
    : db_(std::move(db)), max_batch_(max_batch == 0 ? 1 : max_batch), max_delay_(max_delay) {
    if (checkpoint_db) {
        checkpointer_ = std::make_unique<WalCheckpointer>(std::move(checkpoint_db));
        checkpointer_->watch(*db_);
    }
    writer_ = std::thread([this] {
        name_this_thread("ussdgw-writer");
        run();
    });
}

void GroupCommitter::stop() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    if (checkpointer_) checkpointer_->stop();
}

GroupCommitter::~GroupCommitter() {
    stop();
    sqlite3_busy_timeout(db_->handle(), 1000);
    auto q = db_->query("PRAGMA wal_checkpoint(TRUNCATE)");
    auto row = q ? q->step() : Result<bool>(Failure{q.error()});
    if (!row || !*row || q->int64(0) != 0)
        log::warn("storage.checkpoint_incomplete", "database", db_->path(), "reason",
                  row ? "a reader kept its snapshot" : row.error().message);
}

WalCheckpointer::Stats GroupCommitter::checkpoint_stats() const {
    return checkpointer_ ? checkpointer_->stats() : WalCheckpointer::Stats{};
}

GroupCommitter::Stats GroupCommitter::stats() const {
    std::lock_guard lk(mu_);
    return stats_;
}

void GroupCommitter::enqueue(Job job) {
    {
        std::lock_guard lk(mu_);
        queue_.push_back(std::move(job));
    }
    cv_.notify_one();
}

void GroupCommitter::run() {
    std::deque<Job> batch;
    for (;;) {
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            if (max_delay_.count() > 0 && queue_.size() < max_batch_ && !stopping_) {
                auto deadline = std::chrono::steady_clock::now() + max_delay_;
                cv_.wait_until(lk, deadline,
                               [&] { return stopping_ || queue_.size() >= max_batch_; });
            }
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        run_batch(batch);
        batch.clear();
    }
}

Status GroupCommitter::run_jobs(Database& db, std::deque<Job>& batch) {
    for (auto& j : batch) {
        if (j.cancellation && !j.cancellation->begin_write()) {
            j.annul();
            continue;
        }
        Savepoint change(db);
        if (!change.begun()) return change.begun();
        bool keep = j.work(db);
        if (auto st = keep ? change.release() : change.rollback(); !st) return st;
    }
    return ok_status();
}

void GroupCommitter::run_batch(std::deque<Job>& batch) {
    Database& db = *db_;
    auto began = std::chrono::steady_clock::now();
    Status result = ok_status();
    bool begun = false;
    {
        Transaction tx(db);
        begun = tx.begun().ok();
        if (result = tx.begun(); !result) {
            log::error("storage.begin_failed", "error", result.error().message);
        } else if (result = run_jobs(db, batch); !result) {
            log::error("storage.savepoint_failed", "error", result.error().message, "changes",
                       batch.size());
        } else if (result = tx.commit(); !result) {
            log::error("storage.commit_failed", "error", result.error().message);
        }
    }  // not committed: rolled back here
    if (result) commits_.fetch_add(1, std::memory_order_release);
    if (begun) {
        commit_seconds_.observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
        batch_sizes_.observe(static_cast<double>(batch.size()));
        std::lock_guard lk(mu_);
        stats_.batches += 1;
        stats_.changes += batch.size();
    }
    for (auto& j : batch)
        j.finish(result ? nullptr : &result.error());
}

}  // namespace ussdgw::storage
