#include "storage/GroupCommitter.hpp"

#include "engine/base/Log.hpp"

namespace ussdgw::storage {

GroupCommitter::GroupCommitter(std::unique_ptr<Database> db, std::size_t max_batch,
                               std::chrono::microseconds max_delay)
    : db_(std::move(db)), max_batch_(max_batch == 0 ? 1 : max_batch), max_delay_(max_delay) {
    writer_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    writer_.join();
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

void GroupCommitter::run_batch(std::deque<Job>& batch) {
    Database& db = *db_;
    Transaction tx(db);
    if (!tx.begun()) {
        log::error("storage.begin_failed", "error", tx.begun().error().message);
        for (auto& j : batch)
            j.finish(&tx.begun().error());
        return;
    }
    for (auto& j : batch) {
        if (j.cancellation && !j.cancellation->begin_write()) {
            j.annul();
            continue;
        }
        (void)db.exec("SAVEPOINT change");
        bool keep = j.work(db);
        if (!keep) (void)db.exec("ROLLBACK TO change");
        (void)db.exec("RELEASE change");
    }
    Status committed = tx.commit();
    if (!committed) log::error("storage.commit_failed", "error", committed.error().message);
    {
        std::lock_guard lk(mu_);
        stats_.batches += 1;
        stats_.changes += batch.size();
    }
    for (auto& j : batch)
        j.finish(committed ? nullptr : &committed.error());
}

}  // namespace ussdgw::storage
