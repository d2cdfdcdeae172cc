#include "storage/Database.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <mutex>
#include <vector>

#include "storage/CabinetApiSchema.hpp"

namespace ussdgw::storage {

namespace {

// SQLite counts every allocation for sqlite3_memory_used() under one process-wide mutex; the
// engine never reads those counts, and the lock and the bookkeeping took a fifth of the
// group-commit writer's time in the toggle benchmark. It can only be switched off before
// SQLite initialises, so the first open does it (a later call would be refused: harmless).
void configure_sqlite_once() {
    static std::once_flag once;
    std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

struct Migration {
    int version;
    const char* sql;
};

// Each migration runs in its own transaction together with `PRAGMA user_version = N`.
const std::vector<Migration>& migrations() {
    static const std::vector<Migration> m = {
        {1, R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE clients (
  id   TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('individual', 'legal_entity'))
) WITHOUT ROWID;

CREATE TABLE subscribers (
  msisdn            INTEGER PRIMARY KEY,
  client_id         TEXT NOT NULL REFERENCES clients(id),
  role              TEXT NOT NULL CHECK (role IN ('subscriber', 'supervisor', 'administrator')),
  tariff_plan       TEXT NOT NULL,
  puk_hash          TEXT,
  puk_login_enabled INTEGER NOT NULL DEFAULT 0,
  service_state     TEXT NOT NULL CHECK (service_state IN ('active', 'suspended')),
  payment           TEXT NOT NULL CHECK (payment IN ('prepaid', 'postpaid')),
  balance_minor     INTEGER NOT NULL DEFAULT 0,
  password_hash     TEXT,
  password_set_at   INTEGER NOT NULL DEFAULT 0,
  access_open       INTEGER NOT NULL DEFAULT 1,
  closed_by         TEXT CHECK (closed_by IN ('subscriber', 'organisation', 'operator_lost_sim',
                                              'operator_restriction')),
  closed_at         INTEGER NOT NULL DEFAULT 0,
  puk_failures      INTEGER NOT NULL DEFAULT 0,
  puk_locked_until  INTEGER NOT NULL DEFAULT 0,
  pwd_failures      INTEGER NOT NULL DEFAULT 0,
  pwd_locked_until  INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  CHECK ((access_open = 1 AND closed_by IS NULL) OR (access_open = 0 AND closed_by IS NOT NULL))
);
CREATE INDEX subscribers_client ON subscribers(client_id);

CREATE TRIGGER subscribers_admin_insert BEFORE INSERT ON subscribers
WHEN NEW.role = 'administrator'
 AND (SELECT kind FROM clients WHERE id = NEW.client_id) IS NOT 'legal_entity'
BEGIN SELECT RAISE(ABORT, 'role.needs_legal_entity'); END;
CREATE TRIGGER subscribers_admin_update BEFORE UPDATE OF role, client_id ON subscribers
WHEN NEW.role = 'administrator'
 AND (SELECT kind FROM clients WHERE id = NEW.client_id) IS NOT 'legal_entity'
BEGIN SELECT RAISE(ABORT, 'role.needs_legal_entity'); END;

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  msisdn     INTEGER NOT NULL,
  action     TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id   TEXT NOT NULL,
  channel    TEXT NOT NULL CHECK (channel IN ('ussd', 'http', 'cli')),
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_msisdn ON audit_log(msisdn, at);

CREATE TABLE sms_outbox (
  id              INTEGER PRIMARY KEY,
  msisdn          INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  body            BLOB,
  link            TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'submitted', 'delivered',
                                                 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sms_outbox_due ON sms_outbox(state, next_attempt_at);
CREATE INDEX sms_outbox_msisdn ON sms_outbox(msisdn, kind, created_at);

CREATE TABLE sms_parts (
  message_id      INTEGER NOT NULL REFERENCES sms_outbox(id) ON DELETE CASCADE,
  part_no         INTEGER NOT NULL,
  smpp_message_id TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('submitted', 'delivered', 'failed')),
  receipt_stat    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (message_id, part_no)
) WITHOUT ROWID;
CREATE INDEX sms_parts_smpp_id ON sms_parts(smpp_message_id);
)sql"},
        // 2: the client kind beside each subscriber, so that a lookup reads one row (a
        // client's kind never changes: the import refuses a conflicting kind).
        {2, R"sql(
ALTER TABLE subscribers ADD COLUMN client_kind TEXT NOT NULL DEFAULT 'individual'
  CHECK (client_kind IN ('individual', 'legal_entity'));
UPDATE subscribers SET client_kind = (SELECT kind FROM clients WHERE id = subscribers.client_id);
)sql"},
        // 3: the subscriber's language for USSD screens ("" = the menus' default).
        {3, R"sql(
ALTER TABLE subscribers ADD COLUMN language TEXT NOT NULL DEFAULT ''
  CHECK (language = '' OR (length(language) = 2 AND language GLOB '[a-z][a-z]'));
)sql"},
        // 4: each part's SMPP id is recorded as its submit_sm_resp arrives, so a message
        // knows how many parts its current attempt has; a delivery receipt that matches no
        // part yet (it overtook its part's response) is held until the part is known or
        // the hold expires.
        {4, R"sql(
ALTER TABLE sms_outbox ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;
UPDATE sms_outbox SET parts = (SELECT count(*) FROM sms_parts WHERE message_id = sms_outbox.id);
CREATE TABLE sms_receipts_held (
  smpp_message_id TEXT NOT NULL,
  stat            TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL
);
CREATE INDEX sms_receipts_held_id ON sms_receipts_held(smpp_message_id);
CREATE INDEX sms_receipts_held_expiry ON sms_receipts_held(expires_at);
)sql"},
        // 5: the cabinet API (storage/CabinetApiSchema.hpp).
        {5, kCabinetApiMigration},
        // 6: sms_outbox.link is gone: nothing ever read it (the SMS service chooses the link
        // each time a message is sent, among the bound links with the sms role).
        {6, R"sql(
ALTER TABLE sms_outbox DROP COLUMN link;
)sql"},
        // 7: integrators' SMS (the listener's sms role): the account a message came from
        // and the id its submit_sm_resp gave, and the receipts owed to integrators (made
        // when the SMS is accepted, filled when it is final, kept until acknowledged).
        {7, R"sql(
ALTER TABLE sms_outbox ADD COLUMN account TEXT;
ALTER TABLE sms_outbox ADD COLUMN client_message_id TEXT;
CREATE UNIQUE INDEX sms_outbox_client_id ON sms_outbox(client_message_id)
  WHERE client_message_id IS NOT NULL;
CREATE INDEX sms_outbox_account ON sms_outbox(account, state) WHERE account IS NOT NULL;
CREATE TABLE sms_client_receipts (
  id                INTEGER PRIMARY KEY,
  outbox_id         INTEGER NOT NULL UNIQUE,
  account           TEXT NOT NULL,
  client_message_id TEXT NOT NULL,
  wanted            INTEGER NOT NULL CHECK (wanted IN (1, 2)),
  subscriber_ton    INTEGER NOT NULL,
  subscriber_npi    INTEGER NOT NULL,
  subscriber        TEXT NOT NULL,
  reply_ton         INTEGER NOT NULL,
  reply_npi         INTEGER NOT NULL,
  reply_to          TEXT NOT NULL,
  stat              TEXT,
  err               INTEGER NOT NULL DEFAULT 0,
  parts             INTEGER NOT NULL DEFAULT 0,
  submitted_at      INTEGER NOT NULL,
  done_at           INTEGER,
  acked_at          INTEGER
);
CREATE INDEX sms_client_receipts_due ON sms_client_receipts(account, acked_at, stat);
)sql"},
        // 8: one index of the audit log by number, not two. Each entry put a leaf of both
        // (msisdn, at) and (msisdn, id) in its commit, each a random page for a random
        // subscriber: with the subscriber's own row, three random pages per change. Reads by
        // number (`AuditLog::recent` and `page`) find their rows by (msisdn, id); `recent`
        // sorts one subscriber's entries by time itself.
        {8, R"sql(
DROP INDEX audit_log_msisdn;
)sql"},
    };
    return m;
}

const char* sync_pragma(SyncMode m) {
    switch (m) {
        case SyncMode::normal:
            return "PRAGMA synchronous = NORMAL";
        case SyncMode::full:
            return "PRAGMA synchronous = FULL";
        case SyncMode::extra:
            return "PRAGMA synchronous = EXTRA";
    }
    return "PRAGMA synchronous = FULL";
}

}  // namespace

Query::~Query() {
    if (s_) {
        sqlite3_reset(s_->handle());
        sqlite3_clear_bindings(s_->handle());
    }
}

Query& Query::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_->handle(), i, v);
    return *this;
}
Query& Query::bind(int i, std::string_view v) {
    sqlite3_bind_text(s_->handle(), i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
}
Query& Query::bind_blob(int i, const void* data, std::size_t size) {
    sqlite3_bind_blob(s_->handle(), i, data, static_cast<int>(size), SQLITE_TRANSIENT);
    return *this;
}
Query& Query::bind_null(int i) {
    sqlite3_bind_null(s_->handle(), i);
    return *this;
}

Result<bool> Query::step() {
    int rc = sqlite3_step(s_->handle());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string msg = sqlite3_errmsg(s_->db());
    // RAISE(ABORT, 'code') in a trigger carries a stable error code as its message.
    if (rc == SQLITE_CONSTRAINT && msg.find('.') != std::string::npos &&
        msg.find(' ') == std::string::npos)
        return fail(msg, "refused by the database schema");
    return fail(rc == SQLITE_CONSTRAINT ? "storage.constraint" : "storage.sqlite", msg);
}

Status Query::run() {
    for (;;) {
        auto r = step();
        if (!r) {
            sqlite3_reset(s_->handle());
            return Failure{r.error()};
        }
        if (!*r) {
            sqlite3_reset(s_->handle());  // ready to be bound and run again
            return ok_status();
        }
    }
}

std::int64_t Query::int64(int col) const {
    return sqlite3_column_int64(s_->handle(), col);
}
std::string Query::text(int col) const {
    const auto* p = sqlite3_column_text(s_->handle(), col);
    int n = sqlite3_column_bytes(s_->handle(), col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string();
}
std::string_view Query::view(int col) const {
    const auto* p = sqlite3_column_text(s_->handle(), col);
    int n = sqlite3_column_bytes(s_->handle(), col);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string_view();
}
std::string Query::blob(int col) const {
    const void* p = sqlite3_column_blob(s_->handle(), col);
    int n = sqlite3_column_bytes(s_->handle(), col);
    return p ? std::string(static_cast<const char*>(p), static_cast<std::size_t>(n))
             : std::string();
}
bool Query::is_null(int col) const {
    return sqlite3_column_type(s_->handle(), col) == SQLITE_NULL;
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, const Options& options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    bool exists = fs::exists(path, ec);
    if (!exists && !options.create)
        return fail("storage.open", fmt::format("{}: no such database file", path));
    if (!exists && !options.read_only) {
        fs::path parent = fs::path(path).parent_path();
        if (!parent.empty()) fs::create_directories(parent, ec);
    }
    configure_sqlite_once();
    sqlite3* raw = nullptr;
    int flags = options.read_only
                    ? SQLITE_OPEN_READONLY
                    : (SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0));
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    std::unique_ptr<Database> db(new Database(raw, path));
    if (rc != SQLITE_OK)
        return fail("storage.open",
                    fmt::format("{}: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(raw, 0);
    sqlite3_busy_timeout(raw, 10000);

    // Reading the schema first: a file that is not SQLite fails here, before any write.
    sqlite3_stmt* st = nullptr;
    rc = sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr);
    int version = 0;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            version = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_NOTADB)
        return fail("storage.not_a_database",
                    fmt::format("{}: file is not an SQLite database", path));
    if (rc != SQLITE_OK) return db->error(fmt::format("{}: reading the schema version", path));
    if (version > kSchemaVersion)
        return fail("storage.schema_too_new",
                    fmt::format("{}: schema version {} is newer than this build's {}; use a newer "
                                "ussdgw",
                                path, version, kSchemaVersion));

    if (!options.read_only) {
        if (auto s = db->exec("PRAGMA journal_mode = WAL"); !s) return Failure{s.error()};
    }
    // No memory map: in WAL mode a connection that begins a read transaction after another
    // connection committed unmaps the whole file and faults it in again (the loop's reader
    // did that up to 14 times a second, 8% of the engine's CPU); the page cache and pread
    // cost less.
    for (const char* pragma :
         {sync_pragma(options.synchronous), "PRAGMA foreign_keys = ON",
          "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY", "PRAGMA mmap_size = 0"}) {
        if (auto s = db->exec(pragma); !s) return Failure{s.error()};
    }
    if (!options.read_only) {
        if (auto s = db->migrate(); !s) return Failure{s.error()};
    } else if (version != kSchemaVersion) {
        return fail("storage.schema_old",
                    fmt::format("{}: schema version {} (expected {}); open it once writable to "
                                "migrate",
                                path, version, kSchemaVersion));
    }
    return db;
}

Database::~Database() {
    cache_.clear();
    sqlite3_close_v2(db_);
}

Failure Database::error(std::string_view what) const {
    int rc = sqlite3_errcode(db_);
    std::string code = rc == SQLITE_NOTADB ? "storage.not_a_database" : "storage.sqlite";
    return fail(code, fmt::format("{}: {}", what, sqlite3_errmsg(db_)));
}

Result<Query> Database::query(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
            return error("prepare");
        it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, st)).first;
    }
    return Query(*it->second);
}

Status Database::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        if (rc == SQLITE_NOTADB) return fail("storage.not_a_database", msg);
        return fail("storage.sqlite", msg);
    }
    return ok_status();
}

Status Database::run(std::string_view sql) {
    auto q = query(sql);
    if (!q) return Failure{q.error()};
    return q->run();
}

int Database::schema_version() {
    auto q = query("PRAGMA user_version");
    if (!q) return -1;
    auto r = q->step();
    return r && *r ? static_cast<int>(q->int64(0)) : -1;
}

Status Database::migrate() {
    for (const auto& m : migrations()) {
        Transaction tx(*this);
        if (!tx.begun()) return tx.begun();
        int current = schema_version();
        if (current >= m.version) continue;
        if (auto s = exec(m.sql); !s)
            return fail("storage.migration",
                        fmt::format("migration {} failed: {}", m.version, s.error().message));
        if (auto s = exec(fmt::format("PRAGMA user_version = {}", m.version)); !s) return s;
        if (auto s = tx.commit(); !s) return s;
    }
    return ok_status();
}

Savepoint::Savepoint(Database& db, std::string name)
    : db_(db), name_(std::move(name)), begun_(db.run("SAVEPOINT " + name_)) {
    open_ = begun_.ok();
}

Savepoint::~Savepoint() {
    if (open_) (void)rollback();
}

Status Savepoint::release() {
    if (!open_) return fail("storage.sqlite", "no savepoint " + name_);
    open_ = false;
    return db_.run("RELEASE " + name_);
}

Status Savepoint::rollback() {
    if (!open_) return fail("storage.sqlite", "no savepoint " + name_);
    open_ = false;
    if (auto st = db_.run("ROLLBACK TO " + name_); !st) return st;
    return db_.run("RELEASE " + name_);
}

Transaction::Transaction(Database& db) : db_(db), begun_(db.run("BEGIN IMMEDIATE")) {
    open_ = begun_.ok();
}

Transaction::~Transaction() {
    if (open_) (void)db_.run("ROLLBACK");
}

Status Transaction::commit() {
    if (!open_) return fail("storage.sqlite", "no transaction");
    auto s = db_.run("COMMIT");
    if (s) open_ = false;
    return s;
}

}  // namespace ussdgw::storage
