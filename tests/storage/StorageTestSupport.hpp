// Helpers for the storage tests: a temporary directory with a real SQLite file, a config
// with cheap Argon2id parameters, a settable clock, and a way to wait for an async result.
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

}  // namespace ussdgw::storage::test
