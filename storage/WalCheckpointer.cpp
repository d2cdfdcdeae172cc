#include "storage/WalCheckpointer.hpp"

#include "engine/base/Log.hpp"
#include "engine/base/ThreadName.hpp"

namespace ussdgw::storage {

WalCheckpointer::WalCheckpointer(std::unique_ptr<Database> db) : db_(std::move(db)) {
    thread_ = std::thread([this] {
        name_this_thread("ussdgw-ckpt");
        run();
    });
}

WalCheckpointer::~WalCheckpointer() {
    stop();
}

void WalCheckpointer::stop() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    db_.reset();  // so that the writer's connection is the last to close
}

void WalCheckpointer::watch(Database& writer) {
    sqlite3_wal_hook(writer.handle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
    std::lock_guard lk(mu_);
    return stats_;
}

// On the writer's thread, after each commit, with the WAL's size in pages.
int WalCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
    auto* c = static_cast<WalCheckpointer*>(self);
    if (wal_pages >= kWriterPages) {
        // PASSIVE: SQLITE_BUSY (the thread is checkpointing) is no failure; the commit
        // itself succeeded whatever happens here.
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        std::lock_guard lk(c->mu_);
        ++c->stats_.by_writer;
        c->stats_.wal_pages = static_cast<std::uint64_t>(wal_pages);
        return SQLITE_OK;
    }
    {
        std::lock_guard lk(c->mu_);
        c->stats_.wal_pages = static_cast<std::uint64_t>(wal_pages);
        if (wal_pages < kWakePages) return SQLITE_OK;
        c->wanted_ = true;
    }
    c->cv_.notify_one();
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    for (;;) {
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || wanted_; });
            if (stopping_) return;
            wanted_ = false;
        }
        const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                                 nullptr, nullptr);
        // Logged when checkpoints start failing and when they work again, not at every wake
        // (a full disk would otherwise log once per commit).
        const bool failed = rc != SQLITE_OK && rc != SQLITE_BUSY;
        if (failed && !failing_)
            log::warn("storage.checkpoint_failed", "database", db_->path(), "error",
                      sqlite3_errmsg(db_->handle()));
        else if (!failed && failing_)
            log::info("storage.checkpoint_recovered", "database", db_->path());
        failing_ = failed;
        std::lock_guard lk(mu_);
        ++stats_.checkpoints;
    }
}

}  // namespace ussdgw::storage
