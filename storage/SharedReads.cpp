#include "storage/SharedReads.hpp"

namespace ussdgw::storage {

namespace {

bool in_transaction(Database& db) {
    return sqlite3_get_autocommit(db.handle()) == 0;
}

}  // namespace

SharedReads::SharedReads(Database& db, const GroupCommitter& committer, Post post)
    : db_(db), committer_(committer), post_(std::move(post)) {}

SharedReads::~SharedReads() {
    end();
}

void SharedReads::end() {
    // Fails only while a statement of this connection is still stepping: then the snapshot
    // stays until the next end or renewal.
    if (in_transaction(db_)) (void)db_.run("COMMIT");
}

Database& SharedReads::connection() {
    stats_.reads += 1;
    if (!post_) return db_;
    // Read before BEGIN: a commit that lands in between is counted as news next time, which
    // costs at most one renewal too many, never a stale read.
    const std::uint64_t commits = committer_.commits();
    if (in_transaction(db_)) {
        if (commits == commits_seen_) return db_;
        end();
        if (in_transaction(db_)) return db_;  // a statement is stepping: keep its snapshot
        stats_.renewals += 1;
    }
    commits_seen_ = commits;
    if (!db_.run("BEGIN")) return db_;  // autocommit reads, as without a loop
    stats_.snapshots += 1;
    if (!end_posted_) {
        end_posted_ = true;
        post_(lifetime_.guard([this] {
            end_posted_ = false;
            end();
        }));
    }
    return db_;
}

}  // namespace ussdgw::storage
