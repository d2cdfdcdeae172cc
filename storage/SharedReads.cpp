#include "storage/SharedReads.hpp"

namespace ussdgw::storage {

namespace {

bool in_transaction(Database& db) {
    return sqlite3_get_autocommit(db.handle()) == 0;
}

bool run(Database& db, const char* sql) {
    auto q = db.query(sql);
    return q && q->run().ok();
}

}  // namespace

SharedReads::SharedReads(Database& db, const GroupCommitter& committer, Post post)
    : committer_(committer),
      post_(std::move(post)),
      state_(std::make_shared<State>(State{db, false, 0, {}})) {}

SharedReads::~SharedReads() {
    end(*state_);
}

void SharedReads::end() {
    end(*state_);
}

void SharedReads::end(State& s) {
    // Fails only while a statement of this connection is still stepping: then the snapshot
    // stays until the next end or renewal.
    if (in_transaction(s.db)) (void)run(s.db, "COMMIT");
}

Database& SharedReads::connection() {
    State& s = *state_;
    s.stats.reads += 1;
    if (!post_) return s.db;
    // Read before BEGIN: a commit that lands in between is counted as news next time, which
    // costs at most one renewal too many, never a stale read.
    const std::uint64_t commits = committer_.commits();
    if (in_transaction(s.db)) {
        if (commits == s.commits_seen) return s.db;
        end(s);
        if (in_transaction(s.db)) return s.db;  // a statement is stepping: keep its snapshot
        s.stats.renewals += 1;
    }
    s.commits_seen = commits;
    if (!run(s.db, "BEGIN")) return s.db;  // autocommit reads, as without a loop
    s.stats.snapshots += 1;
    if (!s.end_posted) {
        s.end_posted = true;
        post_([weak = std::weak_ptr<State>(state_)] {
            if (auto st = weak.lock()) {
                st->end_posted = false;
                end(*st);
            }
        });
    }
    return s.db;
}

}  // namespace ussdgw::storage
