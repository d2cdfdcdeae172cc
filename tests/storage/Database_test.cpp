// Opening databases: WAL, migrations, and the files that must be refused untouched.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "StorageTestSupport.hpp"

namespace database_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("a new database is created in WAL mode at the current schema version") {
    TempDir dir;
    auto db = Database::open(dir.file("sub/dir/new.db"), {});
    REQUIRE(db.ok());
    CHECK((*db)->schema_version() == kSchemaVersion);
    auto q = (*db)->query("PRAGMA journal_mode");
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    CHECK(q->text(0) == "wal");
}

TEST_CASE("reopening applies no migration twice and keeps data") {
    TempDir dir;
    {
        auto db = Database::open(dir.file("a.db"), {});
        REQUIRE(db.ok());
        REQUIRE((*db)->exec("INSERT INTO clients (id, kind) VALUES ('X', 'individual')").ok());
    }
    auto db = Database::open(dir.file("a.db"), {});
    REQUIRE(db.ok());
    auto q = (*db)->query("SELECT count(*) FROM clients");
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    CHECK(q->int64(0) == 1);
}

TEST_CASE("a file that is not SQLite is refused and left as it was") {
    TempDir dir;
    std::string path = dir.file("junk.db");
    std::string junk(4096, 'x');
    junk.replace(0, 20, "this is not sqlite!!");
    std::ofstream(path, std::ios::binary) << junk;
    auto db = Database::open(path, {});
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().code == "storage.not_a_database");
    CHECK(db.error().message.find("junk.db") != std::string::npos);
    CHECK(slurp(path) == junk);
    CHECK_FALSE(std::filesystem::exists(path + "-wal"));
    // and through Storage::open
    StorageConfig cfg = test_config(dir);
    cfg.database_path = path;
    auto st = Storage::open(cfg);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "storage.not_a_database");
}

TEST_CASE("a database from a newer schema is refused and left as it was") {
    TempDir dir;
    std::string path = dir.file("newer.db");
    {
        auto db = Database::open(path, {});
        REQUIRE(db.ok());
        REQUIRE((*db)->exec("PRAGMA user_version = 99").ok());
        REQUIRE((*db)->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    }
    std::string before = slurp(path);
    auto db = Database::open(path, {});
    REQUIRE_FALSE(db.ok());
    CHECK(db.error().code == "storage.schema_too_new");
    CHECK(db.error().message.find("99") != std::string::npos);
    CHECK(slurp(path) == before);
}

TEST_CASE("a different key file is detected") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    { REQUIRE(Storage::open(cfg).ok()); }
    std::filesystem::remove(cfg.key_file);
    auto st = Storage::open(cfg);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "storage.key_mismatch");
}

TEST_CASE("migrations 2 to 8 bring a version 1 database up to date and keep its data") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    import_csv(cfg, kSampleCsv);
    {
        // Turn the file back into schema version 1 (before subscribers.client_kind,
        // subscribers.language, sms_outbox.parts and the held receipts).
        auto db = Database::open(cfg.database_path, {});
        REQUIRE(db.ok());
        // Migration 5's objects (the cabinet API) go first: they refer to the subscribers.
        REQUIRE((*db)
                    ->exec("DROP TRIGGER subscribers_password_ends_sessions; "
                           "DROP TRIGGER subscribers_closing_ends_sessions; "
                           "DROP TABLE call_records; DROP TABLE service_requests; "
                           "DROP TABLE subscriber_services; DROP TABLE one_time_codes; "
                           "DROP TABLE web_sessions;")
                    .ok());
        // Migration 7's (integrators' SMS).
        REQUIRE((*db)
                    ->exec("DROP TABLE sms_client_receipts; DROP INDEX sms_outbox_client_id; "
                           "DROP INDEX sms_outbox_account; "
                           "ALTER TABLE sms_outbox DROP COLUMN client_message_id; "
                           "ALTER TABLE sms_outbox DROP COLUMN account;")
                    .ok());
        REQUIRE((*db)->exec("DROP TABLE sms_receipts_held").ok());
        REQUIRE((*db)->exec("ALTER TABLE sms_outbox DROP COLUMN parts").ok());
        REQUIRE((*db)->exec("ALTER TABLE subscribers DROP COLUMN language").ok());
        REQUIRE((*db)->exec("ALTER TABLE subscribers DROP COLUMN client_kind").ok());
        REQUIRE(
            (*db)->exec("ALTER TABLE sms_outbox ADD COLUMN link TEXT NOT NULL DEFAULT ''").ok());
        REQUIRE((*db)->exec("PRAGMA user_version = 1").ok());
    }
    auto st = Storage::open(cfg);
    REQUIRE(st.ok());
    auto rec = (*st)->find(msisdn("375292000001"));
    REQUIRE(rec.ok());
    REQUIRE(rec->has_value());
    CHECK((*rec)->subscriber.client_kind == ClientKind::legal_entity);
    CHECK((*rec)->subscriber.role == Role::administrator);
    auto person = (*st)->find(msisdn("375291000001"));
    CHECK((*person)->subscriber.client_kind == ClientKind::individual);
    auto v = (*st)->committer().run_sync<int>(
        [](Database& db) -> Result<int> { return db.schema_version(); });
    CHECK(*v == kSchemaVersion);
    CHECK(kSchemaVersion == 8);
    // Migration 8: the audit log keeps one index by number, and the reads by number use it.
    auto plans = (*st)->committer().run_sync<std::string>([](Database& db) -> Result<std::string> {
        std::string out;
        for (const char* sql :
             {"SELECT name FROM sqlite_master WHERE tbl_name = 'audit_log' AND type = 'index'",
              "EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE msisdn = 1 "
              "ORDER BY at DESC, id DESC LIMIT 10",
              "EXPLAIN QUERY PLAN SELECT id FROM audit_log WHERE msisdn = 1 AND id < 5 "
              "ORDER BY id DESC LIMIT 10"}) {
            auto q = db.query(sql);
            if (!q) return Failure{q.error()};
            const int last = sql[0] == 'E' ? 3 : 0;  // a plan's detail, or the index's name
            for (auto row = q->step(); row && *row; row = q->step())
                out += q->text(last) + '\n';
        }
        return out;
    });
    REQUIRE(plans.ok());
    INFO(*plans);
    CHECK(plans->starts_with("audit_log_msisdn_id\n"));
    CHECK(plans->find("USING INDEX audit_log_msisdn_id") != std::string::npos);
    CHECK(plans->find("SCAN audit_log") == std::string::npos);
    CHECK((*person)->subscriber.language.empty());
    // The audit log takes the channel web after migration 5.
    auto web = (*st)->committer().run_sync<Ok>([](Database& db) {
        return AuditLog(db).append({1,
                                    Msisdn::from_number(375291000001),
                                    "login.ok",
                                    {ActorKind::subscriber, "375291000001"},
                                    Channel::web,
                                    ""});
    });
    CHECK(web.ok());
}

namespace {
std::int64_t count_of(Database& db, const char* sql) {
    auto q = db.query(sql);
    REQUIRE(q.ok());
    REQUIRE(*q->step());
    return q->int64(0);
}
}  // namespace

TEST_CASE("transactions and savepoints keep their meaning when their statements are cached") {
    TempDir dir;
    auto opened = Database::open(dir.file("tx.db"), {});
    REQUIRE(opened.ok());
    Database& db = **opened;
    // The same cached BEGIN / SAVEPOINT / RELEASE / ROLLBACK TO / COMMIT, many times over.
    for (int i = 0; i < 300; ++i) {
        Transaction tx(db);
        REQUIRE(tx.begun().ok());
        {
            Savepoint kept(db);
            REQUIRE(kept.begun().ok());
            REQUIRE(db.run(fmt::format("INSERT INTO clients (id, kind) VALUES ('A{}', "
                                       "'individual')",
                                       i))
                        .ok());
            REQUIRE(kept.release().ok());
        }
        {
            Savepoint undone(db);
            REQUIRE(db.run(fmt::format("INSERT INTO clients (id, kind) VALUES ('B{}', "
                                       "'individual')",
                                       i))
                        .ok());
            REQUIRE(undone.rollback().ok());
        }
        {
            Savepoint dropped(db);  // neither released nor rolled back: rolled back
            REQUIRE(db.run(fmt::format("INSERT INTO clients (id, kind) VALUES ('C{}', "
                                       "'individual')",
                                       i))
                        .ok());
        }
        if (i % 3 == 2) continue;  // a transaction dropped without commit is rolled back
        REQUIRE(tx.commit().ok());
    }
    CHECK(count_of(db, "SELECT count(*) FROM clients WHERE id LIKE 'A%'") == 200);
    CHECK(count_of(db, "SELECT count(*) FROM clients WHERE id NOT LIKE 'A%'") == 0);
    CHECK(sqlite3_get_autocommit(db.handle()) != 0);

    SUBCASE("a statement that fails reports it and leaves the connection usable") {
        auto outside = db.run("COMMIT");  // no transaction is open
        REQUIRE_FALSE(outside.ok());
        CHECK(outside.error().code == "storage.sqlite");
        auto invalid = db.run("SAVEPOINT");
        REQUIRE_FALSE(invalid.ok());
        CHECK(invalid.error().code == "storage.sqlite");
        Transaction tx(db);
        REQUIRE(tx.begun().ok());
        REQUIRE(db.run("DELETE FROM clients WHERE id = 'A0'").ok());
        REQUIRE(tx.commit().ok());
        CHECK(count_of(db, "SELECT count(*) FROM clients") == 199);
    }
}

TEST_CASE("SQLite keeps no allocation statistics once a database was opened") {
    // The engine never reads them, and counting took a process-wide lock on every allocation.
    TempDir dir;
    auto db = Database::open(dir.file("m.db"), {});
    REQUIRE(db.ok());
    REQUIRE((*db)->run("INSERT INTO clients (id, kind) VALUES ('X', 'individual')").ok());
    CHECK(sqlite3_memory_used() == 0);
}

}  // namespace database_test
