// Helpers for the storage tests: a temporary directory with a real SQLite file, a config
// with cheap Argon2id parameters, a settable clock, a way to wait for an async result, and
// fixtures for the cabinet (CabinetFixture) and the web cabinet (WebFixture).
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include "storage/Storage.hpp"
#include "storage/SubscriberImport.hpp"
#include "storage/WebCabinet.hpp"

namespace ussdgw::storage::test {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("ussdgw-storage-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

inline StorageConfig test_config(const TempDir& dir) {
    StorageConfig c;
    c.database_path = dir.file("test.db");
    c.key_file = dir.file("storage.key");
    c.argon2_opslimit = 1;
    c.argon2_memlimit = 8192;
    c.hash_workers = 2;
    c.puk_max_wrong = 3;
    c.puk_lockout = std::chrono::seconds(3600);
    c.password_max_wrong = 3;
    c.password_lockout = std::chrono::seconds(900);
    c.password_sms_per_hour = 3;
    c.password_sms_per_day = 5;
    c.puk_login_tariff_plans = {"Видеонаблюдение", "Спутниковый мониторинг"};
    c.tariff_plans = {"Комфорт", "Бизнес", "Видеонаблюдение", "Спутниковый мониторинг"};
    return c;
}

// A clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(1'700'000'000'000);
    WallClock fn() const {
        auto n = now;
        return [n] { return n->load(); };
    }
    void advance(std::chrono::milliseconds d) { *now += d.count(); }
};

// Starts an async operation and waits for its result (callbacks run on storage threads).
template <typename T, typename Start>
Result<T> wait_for(Start&& start) {
    auto p = std::make_shared<std::promise<Result<T>>>();
    auto f = p->get_future();
    start([p](Result<T> r) { p->set_value(std::move(r)); });
    return f.get();
}

// Holds the group-commit writer in a change of its own until release() (or destruction):
// what is submitted meanwhile waits in the queue, as behind a slow batch.
class HeldWriter {
  public:
    explicit HeldWriter(GroupCommitter& committer) {
        std::promise<void> busy;
        auto open = gate_.get_future().share();
        committer.submit<Ok>(
            [&busy, open](Database&) -> Status {
                busy.set_value();
                open.wait();
                return ok_status();
            },
            nullptr, [](Status) {});
        busy.get_future().wait();
    }
    ~HeldWriter() { release(); }
    HeldWriter(const HeldWriter&) = delete;
    HeldWriter& operator=(const HeldWriter&) = delete;
    void release() {
        if (released_) return;
        released_ = true;
        gate_.set_value();
    }

  private:
    std::promise<void> gate_;
    bool released_ = false;
};

// The demo-like data set most tests use.
inline const char* kSampleCsv =
    "msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,payment,balance\n"
    "375291000001,P1,individual,subscriber,Комфорт,11111111,no,active,prepaid,10.00\n"
    "375291000002,P2,individual,subscriber,Видеонаблюдение,22222222,no,active,postpaid,0\n"
    "375291000003,P3,individual,subscriber,Комфорт,33333333,yes,active,prepaid,5.5\n"
    "375291000004,P4,individual,subscriber,Комфорт,44444444,no,suspended,prepaid,-1.20\n"
    "375292000001,L1,legal_entity,administrator,Бизнес,55555551,no,active,postpaid,0\n"
    "375292000002,L1,legal_entity,supervisor,Бизнес,55555552,no,active,postpaid,0\n"
    "375292000003,L1,legal_entity,subscriber,Бизнес,55555553,no,active,postpaid,0\n"
    "375292000004,L1,legal_entity,administrator,Бизнес,55555554,no,active,postpaid,0\n"
    "375293000001,L2,legal_entity,subscriber,Бизнес,66666661,no,active,postpaid,0\n"
    "375293000002,L2,legal_entity,administrator,Бизнес,66666662,no,active,postpaid,0\n";

inline Msisdn msisdn(const char* text) {
    return *Msisdn::parse(text);
}

// A database file at the current schema, with nothing in it, in a temporary directory.
struct BareDatabase {
    TempDir dir;
    std::unique_ptr<Database> db;
    BareDatabase() {
        auto d = Database::open(dir.file("bare.db"), {});
        REQUIRE(d.ok());
        db = std::move(*d);
    }
};

// A bare database file with an outbox on it (policy: 3 attempts, backoff 1 s to 3 s, lease
// 60 s) and a fixed time `t`.
struct OutboxFixture {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    std::unique_ptr<Database> db;
    StorageKey key = StorageKey::from_bytes({});
    OutboxPolicy policy{3, std::chrono::milliseconds(1000), std::chrono::milliseconds(3000),
                        std::chrono::milliseconds(60000)};
    std::int64_t t = 1'700'000'000'000;
    OutboxFixture() {
        auto d = Database::open(cfg.database_path, {});
        REQUIRE(d.ok());
        db = std::move(*d);
    }
    SmsOutbox box() { return SmsOutbox(*db, key, policy); }
    OutboxStatus status(std::int64_t id) {
        auto s = box().status(id);
        REQUIRE(s.ok());
        REQUIRE(s->has_value());
        return **s;
    }
};

// Imports `csv` through a direct connection (as `ussdgw subscribers import` does).
inline ImportSummary import_csv(const StorageConfig& cfg, const std::string& csv,
                                ImportOptions opts = {}) {
    auto d = open_keyed_database(cfg);
    if (!d) throw std::runtime_error(d.error().message);
    std::istringstream in(csv);
    auto r = import_subscribers(*d->db, d->key, cfg, in, opts, system_clock_ms());
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
}

// The sample subscribers in a real database file, opened with a clock the test moves.
struct SampleStorage {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    ManualClock clock;
    std::unique_ptr<Storage> st;

    SampleStorage() {
        import_csv(cfg, kSampleCsv);
        auto s = Storage::open(cfg, nullptr, clock.fn());
        if (!s) throw std::runtime_error(s.error().message);
        st = std::move(*s);
    }
};

// The sample storage with the cabinet's commands as one-line calls answering "ok" or the
// refusal's code (CabinetService_test, CabinetPasswords_test).
struct CabinetFixture : SampleStorage {
    std::unique_ptr<WebCabinet> web;  // the login that passwords issued here are for

    CabinetFixture() {
        web = std::make_unique<WebCabinet>(*st, WebPolicy{}, nullptr);
        REQUIRE(web->open().ok());
    }
    CabinetService& cab() { return st->cabinet(); }

    std::string issue(const char* m) {
        auto r = wait_for<PasswordIssued>(
            [&](auto done) { cab().issue_password(msisdn(m), Channel::ussd, done); });
        return r ? "ok" : r.error().code;
    }
    std::string close_own(const char* m) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().close_own_access(msisdn(m), Channel::ussd, done); });
        return r ? "ok" : r.error().code;
    }
    std::string open_own(const char* m, const char* puk) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().open_own_access(msisdn(m), Secret(puk), Channel::ussd, done); });
        return r ? "ok" : r.error().code;
    }
    std::string manager(const char* mgr, const char* target, bool open) {
        auto r = wait_for<Ok>([&](auto done) {
            cab().manager_set_access(msisdn(mgr), msisdn(target), open, Channel::http, done);
        });
        return r ? "ok" : r.error().code;
    }
    std::string op_close(const char* m, ClosedBy why) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().operator_close(msisdn(m), why, "staff1", Channel::cli, done); });
        return r ? "ok" : r.error().code;
    }
    std::string op_open(const char* m) {
        auto r = wait_for<Ok>(
            [&](auto done) { cab().operator_open(msisdn(m), "staff1", Channel::cli, done); });
        return r ? "ok" : r.error().code;
    }
    // The web login (WebCabinet::login) with a password or, `by_puk`, the PUK1: the session's
    // method, or the refusal's code.
    std::string login(const char* m, const std::string& cred, bool by_puk = false) {
        auto r = wait_for<SessionGranted>([&](auto done) {
            web->login({msisdn(m), by_puk, Secret(cred), "test"}, done);
        });
        return r ? r->session.method : r.error().code;
    }
    SubscriberRecord record(const char* m) {
        auto r = st->find(msisdn(m));
        REQUIRE(r.ok());
        REQUIRE(r->has_value());
        return **r;
    }
    std::vector<AuditEntry> audit(const char* m) {
        auto r = st->committer().run_sync<std::vector<AuditEntry>>(
            [&](Database& db) { return AuditLog(db).recent(msisdn(m), 100); });
        REQUIRE(r.ok());
        return *r;
    }
    // The clear password, read back from the outbox the way the SMS sender will.
    std::string password_from_outbox() {
        auto r = wait_for<std::vector<OutboxMessage>>([&](auto done) {
            st->with_outbox<std::vector<OutboxMessage>>(
                [](SmsOutbox& o, std::int64_t now) { return o.claim_due(now, 10); }, done);
        });
        REQUIRE(r.ok());
        REQUIRE(r->size() == 1);
        const std::string& text = r->front().text;
        return text.substr(text.rfind(' ') + 1);
    }
};

// The sample storage with a WebCabinet of short, countable limits (WebCabinet_test,
// OneTimeCodes_test, ServiceRequests_test, CallRecords_test).
struct WebFixture : SampleStorage {
    std::unique_ptr<WebCabinet> web;

    WebFixture() {
        WebPolicy p;
        p.session_lifetime_ms = 3600'000;
        p.max_sessions = 3;
        p.codes.ttl_ms = 60'000;
        p.codes.max_tries = 3;
        p.codes.resend_interval_ms = 10'000;
        p.codes.sms_per_hour = 3;
        p.codes.sms_per_day = 5;
        p.step_up_ms = 60'000;
        p.apply_delay_ms = 5000;
        p.code_text = [](CodePurpose, const std::string&) { return std::string("Code {code}"); };
        web = std::make_unique<WebCabinet>(*st, p, nullptr);
        REQUIRE(web->open().ok());
    }

    Result<SessionGranted> login(const char* m, bool puk, const char* secret) {
        return wait_for<SessionGranted>([&](auto done) {
            web->login({msisdn(m), puk, Secret(secret), "test"}, done);
        });
    }
    SessionContext context(const SessionGranted& g) {
        auto s = web->find_session(token_hash(g.token));
        REQUIRE(s.ok());
        REQUIRE(s->has_value());
        return **s;
    }
    // The last SMS text for a number (the outbox keeps it sealed until it is sent).
    std::string last_sms(Msisdn m) {
        auto q = st->committer().run_sync<std::string>([&](Database& db) -> Result<std::string> {
            auto s =
                db.query("SELECT body FROM sms_outbox WHERE msisdn = ? ORDER BY id DESC LIMIT 1");
            if (!s) return Failure{s.error()};
            s->bind(1, m.number());
            auto row = s->step();
            if (!row || !*row) return std::string();
            return st->key().unseal(s->blob(0));
        });
        return q ? *q : std::string();
    }
};

}  // namespace ussdgw::storage::test
