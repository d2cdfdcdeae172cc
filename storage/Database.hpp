// One SQLite connection with RAII ownership, a cache of prepared statements, and the
// schema migrations applied when a writable database is opened. Only storage/ sees SQL.
// A Database is used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/base/Result.hpp"
#include "storage/StorageConfig.hpp"

namespace ussdgw::storage {

// The schema version this build writes; a database with a higher one is refused.
inline constexpr int kSchemaVersion = 8;

// A prepared statement owned by the cache. Use through `Database::Query`.
class Statement {
  public:
    Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    sqlite3_stmt* handle() const { return stmt_; }
    sqlite3* db() const { return db_; }

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

// A cached statement in use: bind (1-based), step, read columns (0-based). Resets the
// statement and clears its bindings on destruction.
class Query {
  public:
    explicit Query(Statement& s) : s_(&s) {}
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    Query(Query&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }

    Query& bind(int i, std::int64_t v);
    Query& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Query& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
    Query& bind(int i, std::string_view v);
    Query& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Query& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Query& bind_blob(int i, const void* data, std::size_t size);
    Query& bind_null(int i);

    // true: a row is available; false: done. Errors become a failed Result.
    Result<bool> step();
    // Runs to completion (for INSERT/UPDATE/DELETE) and resets, so the same Query can be
    // bound and run again.
    Status run();

    std::int64_t int64(int col) const;
    std::string text(int col) const;
    // The column's text without a copy, valid until the next step or reset.
    std::string_view view(int col) const;
    std::string blob(int col) const;
    bool is_null(int col) const;

  private:
    Statement* s_;
};

class Database {
  public:
    struct Options {
        SyncMode synchronous = SyncMode::full;
        bool read_only = false;  // no migrations, no writes
        bool create = true;      // create the file when it does not exist
    };

    // Opens (and with `create`, creates) the database, checks that the file is SQLite and
    // not from a newer schema, switches to WAL and applies pending migrations. Errors:
    // "storage.open", "storage.not_a_database", "storage.schema_too_new", "storage.sqlite".
    static Result<std::unique_ptr<Database>> open(const std::string& path, const Options& options);

    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // A cached prepared statement for `sql` (prepared on first use).
    Result<Query> query(std::string_view sql);
    // Runs one or more statements without results (parsed on every call: for schema work).
    Status exec(std::string_view sql);
    // Runs one statement without results through the statement cache: for the transaction
    // control that every change repeats (BEGIN, SAVEPOINT, RELEASE, COMMIT, ...).
    Status run(std::string_view sql);

    std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }
    int schema_version();
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

    // A failed Result from the connection's last error.
    Failure error(std::string_view what) const;

  private:
    Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    Status migrate();

    // Looked up by the SQL's string_view, without a std::string made for every query.
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view sql) const noexcept {
            return std::hash<std::string_view>{}(sql);
        }
    };

    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// RAII savepoint inside a transaction: SAVEPOINT on construction; release() keeps what was
// done since, rollback() undoes it; destroyed with neither, it rolls back. Every step
// reports its failure (a savepoint that cannot be released or rolled back leaves the
// transaction in a state nobody should commit).
class Savepoint {
  public:
    explicit Savepoint(Database& db, std::string name = "change");
    ~Savepoint();
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    const Status& begun() const { return begun_; }
    Status release();
    Status rollback();

  private:
    Database& db_;
    std::string name_;
    Status begun_;
    bool open_ = false;
};

// RAII transaction: BEGIN IMMEDIATE on construction, ROLLBACK unless commit() succeeded.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    const Status& begun() const { return begun_; }
    Status commit();

  private:
    Database& db_;
    Status begun_;
    bool open_ = false;
};

}  // namespace ussdgw::storage
