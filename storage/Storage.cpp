#include "storage/Storage.hpp"

namespace ussdgw::storage {

Status check_key(Database& db, const StorageKey& key) {
    Transaction tx(db);
    if (!tx.begun()) return tx.begun();
    auto q = db.query("SELECT value FROM meta WHERE key = 'key_fingerprint'");
    if (!q) return Failure{q.error()};
    auto row = q->step();
    if (!row) return Failure{row.error()};
    std::string fp = key.fingerprint();
    if (*row) {
        if (q->text(0) != fp)
            return fail("storage.key_mismatch",
                        db.path() +
                            ": the key file is not the one this database was created "
                            "with (PUK1 hashes and SMS bodies cannot be checked)");
        return ok_status();
    }
    auto ins = db.query("INSERT INTO meta (key, value) VALUES ('key_fingerprint', ?)");
    if (!ins) return Failure{ins.error()};
    ins->bind(1, fp);
    if (auto st = ins->run(); !st) return st;
    return tx.commit();
}

Result<std::unique_ptr<Database>> open_write_connection(const StorageConfig& cfg) {
    Database::Options options;
    options.synchronous = cfg.synchronous;
    return Database::open(cfg.database_path, options);
}

Result<KeyedDatabase> open_keyed_database(const StorageConfig& cfg) {
    auto db = open_write_connection(cfg);
    if (!db) return Failure{db.error()};
    auto key = StorageKey::load_or_create(cfg.key_file);
    if (!key) return Failure{key.error()};
    if (auto st = check_key(**db, *key); !st) return Failure{st.error()};
    return KeyedDatabase{std::move(*db), std::move(*key)};
}

Result<std::unique_ptr<Storage>> Storage::open(const StorageConfig& cfg, Post post,
                                               WallClock clock) {
    auto writer = open_keyed_database(cfg);
    if (!writer) return Failure{writer.error()};

    if (!clock) clock = system_clock_ms;
    std::unique_ptr<Storage> s(
        new Storage(cfg, std::move(writer->key), std::move(post), std::move(clock)));
    s->hasher_ = std::make_unique<CredentialHasher>(
        HashPoolSettings{cfg.hash_workers, cfg.hash_queue_limit, cfg.hash_max_wait,
                         cfg.hash_duty_percent, cfg.hash_process},
        Argon2Params{cfg.argon2_opslimit, cfg.argon2_memlimit});
    auto checkpoint_db = open_write_connection(cfg);
    if (!checkpoint_db) return Failure{checkpoint_db.error()};
    s->committer_ =
        std::make_unique<GroupCommitter>(std::move(writer->db), cfg.group_commit_max_batch,
                                         cfg.group_commit_max_delay, std::move(*checkpoint_db));
    if (auto own = s->cabinet_for_loop(s->post_); !own) return Failure{own.error()};
    return s;
}

Storage::~Storage() {
    // The hasher first: its finished hashes still submit changes to the committer, which
    // then commits everything queued before stopping; a commit callback that asks for a
    // hash after this gets "storage.busy".
    hasher_->shutdown();
    committer_->stop();
    // The readers close before the writer, whose close then finds no snapshot in the way of
    // its last checkpoint (GroupCommitter.hpp).
    loop_cabinets_.clear();
    committer_.reset();
    hasher_.reset();
}

Result<LoopCabinet*> Storage::cabinet_for_loop(Post post) {
    auto c = LoopCabinet::open(cfg_, key_, *committer_, *hasher_, clock_, std::move(post));
    if (!c) return Failure{c.error()};
    loop_cabinets_.push_back(std::move(*c));
    return loop_cabinets_.back().get();
}

Result<OutboxDepth> Storage::outbox_depth() {
    SmsOutbox outbox(own().reads().connection(), key_, outbox_policy(cfg_));
    return outbox.depth();
}

}  // namespace ussdgw::storage
