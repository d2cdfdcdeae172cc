// storage/: everything the engine persists, in SQLite (WAL mode). Subscribers and their
// clients, cabinet credentials (Argon2id password hashes, keyed PUK1 hashes) and access
// state, wrong-attempt counters, the audit log of every access and password change, and
// the SMS outbox. `Storage` opens the database (checking that it is SQLite and not from a
// newer schema, applying migrations), the server key file, a group-commit writer thread
// that batches changes into one transaction and one fsync and acknowledges each change
// only after COMMIT, a pool of hash workers, and a read connection on which every lookup
// of the opening loop runs (other event loops get their own: LoopCabinet). Domain actions
// are in CabinetService; the pure rules of SPEC section 2 in CabinetRules; outbox
// operations in SmsOutbox. No SQL lives outside this folder.
#pragma once

#include <memory>
#include <vector>

#include "storage/AuditLog.hpp"
#include "storage/CabinetRules.hpp"
#include "storage/CabinetService.hpp"
#include "storage/Completion.hpp"
#include "storage/CredentialHasher.hpp"
#include "storage/Database.hpp"
#include "storage/GroupCommitter.hpp"
#include "storage/LoopCabinet.hpp"
#include "storage/SharedReads.hpp"
#include "storage/SmsOutbox.hpp"
#include "storage/StorageConfig.hpp"
#include "storage/StorageKey.hpp"
#include "storage/SubscriberStore.hpp"
#include "storage/Types.hpp"
#include "storage/WallClock.hpp"

namespace ussdgw::storage {

// The writable database with the key it was created with (migrations applied, key checked):
// what Storage runs on, and what the operator's commands (import, show) use directly.
struct KeyedDatabase {
    std::unique_ptr<Database> db;
    StorageKey key;
};
Result<KeyedDatabase> open_keyed_database(const StorageConfig& cfg);
// A writable connection to the configured database with its `synchronous` mode (migrations
// applied, key not checked): the writer's, the checkpointer's, the call-record import's.
Result<std::unique_ptr<Database>> open_write_connection(const StorageConfig& cfg);

class Storage {
  public:
    // `post` delivers every completion (for example onto the engine's event loop); without
    // it completions run on the writer or hasher threads. `clock` defaults to the system
    // clock (tests pass their own).
    static Result<std::unique_ptr<Storage>> open(const StorageConfig& cfg, Post post = nullptr,
                                                 WallClock clock = nullptr);
    ~Storage();

    CabinetService& cabinet() { return own().cabinet(); }
    // The cabinet for another event loop, completions through its `post` (LoopCabinet.hpp):
    // its own read connection, this Storage's writer and hash pool. It lives as long as this
    // Storage (the writer and the hashers may still run its work when its loop has ended), so
    // `post` must stay callable that long. Call it at start-up, on the opening thread.
    Result<LoopCabinet*> cabinet_for_loop(Post post);
    GroupCommitter& committer() { return *committer_; }
    CredentialHasher& hasher() { return *hasher_; }
    const StorageKey& key() const { return key_; }
    const StorageConfig& config() const { return cfg_; }
    std::int64_t now() const { return clock_(); }

    // Synchronous lookup on the read connection: for the thread that owns this Storage
    // (a lookup is a few microseconds; no hashing, no writes).
    Result<std::optional<SubscriberRecord>> find(Msisdn msisdn) { return cabinet().find(msisdn); }
    // The outbox's depth, read on the read connection (the metrics scrape; same thread rule).
    Result<OutboxDepth> outbox_depth();

    // Runs `work` on the outbox inside a group-commit batch (the SMS sender's operations).
    template <typename T>
    void with_outbox(std::function<Result<T>(SmsOutbox&, std::int64_t now_ms)> work, Done<T> done);

  private:
    Storage(StorageConfig cfg, StorageKey key, Post post, WallClock clock)
        : cfg_(std::move(cfg)),
          key_(std::move(key)),
          post_(std::move(post)),
          clock_(std::move(clock)) {}
    // The opening loop's cabinet: the first of loop_cabinets_.
    LoopCabinet& own() { return *loop_cabinets_.front(); }

    StorageConfig cfg_;
    StorageKey key_;
    Post post_;
    WallClock clock_;
    std::unique_ptr<CredentialHasher> hasher_;
    std::unique_ptr<GroupCommitter> committer_;
    // Every loop's cabinet (cabinet_for_loop), the opening loop's first.
    std::vector<std::unique_ptr<LoopCabinet>> loop_cabinets_;
};

template <typename T>
void Storage::with_outbox(std::function<Result<T>(SmsOutbox&, std::int64_t)> work, Done<T> done) {
    committer_->submit<T>(
        [this, work = std::move(work)](Database& db) {
            SmsOutbox outbox(db, key_, outbox_policy(cfg_));
            return work(outbox, now());
        },
        post_, std::move(done));
}

// Checks that `key` is the key this database was created with (its fingerprint is kept in
// the database), recording it on first use: "storage.key_mismatch" otherwise.
Status check_key(Database& db, const StorageKey& key);

}  // namespace ussdgw::storage
