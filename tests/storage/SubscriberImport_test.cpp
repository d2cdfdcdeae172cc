// Provisioning import: idempotent upserts, per-line errors, nothing half-written.
#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace subscriber_import_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {
std::int64_t count_subscribers(const StorageConfig& cfg) {
    auto db = Database::open(cfg.database_path, {});
    REQUIRE(db.ok());
    auto n = SubscriberStore(**db, cfg.puk_login_tariff_plans).count();
    REQUIRE(n.ok());
    return *n;
}
}  // namespace

TEST_CASE("import inserts, then re-import changes nothing, then updates what changed") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    auto s1 = import_csv(cfg, kSampleCsv);
    CHECK(s1.written);
    CHECK(s1.rows == 10);
    CHECK(s1.inserted == 10);
    CHECK(s1.rejected == 0);
    auto s2 = import_csv(cfg, kSampleCsv);
    CHECK(s2.inserted == 0);
    CHECK(s2.updated == 0);
    CHECK(s2.unchanged == 10);
    auto s3 = import_csv(cfg,
                         "# a comment line\n"
                         "375291000001,P1,individual,subscriber,Бизнес,11111111,no,active,"
                         "prepaid,10.00\r\n\n");
    CHECK(s3.updated == 1);
    CHECK(count_subscribers(cfg) == 10);

    auto st = Storage::open(cfg);
    REQUIRE(st.ok());
    auto rec = (*st)->find(msisdn("375291000001"));
    REQUIRE(rec.ok());
    REQUIRE(rec->has_value());
    CHECK((*rec)->subscriber.tariff_plan == "Бизнес");
    CHECK((*rec)->subscriber.balance_minor == 1000);
    auto r4 = (*st)->find(msisdn("375291000004"));
    CHECK((*r4)->subscriber.service == ServiceState::suspended);
    CHECK((*r4)->subscriber.balance_minor == -120);
    auto r3 = (*st)->find(msisdn("375291000003"));
    CHECK((*r3)->subscriber.balance_minor == 550);
    CHECK((*r3)->cabinet.puk_login_allowed);
}

TEST_CASE("re-import keeps cabinet state (access, password)") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    import_csv(cfg, kSampleCsv);
    {
        auto st = Storage::open(cfg);
        REQUIRE(st.ok());
        auto r = wait_for<Ok>([&](auto done) {
            (*st)->cabinet().close_own_access(msisdn("375291000001"), Channel::ussd, done);
        });
        REQUIRE(r.ok());
    }
    import_csv(cfg, kSampleCsv);
    auto st = Storage::open(cfg);
    auto rec = (*st)->find(msisdn("375291000001"));
    CHECK_FALSE((*rec)->cabinet.access_open);
}

TEST_CASE("bad lines are reported with line numbers and nothing is written") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    std::string csv =
        "msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,payment,"
        "balance\n"
        "375291000001,P1,individual,subscriber,Комфорт,11111111,no,active,prepaid,1\n"  // 2 ok
        "+375291000002,P2,individual,subscriber,Комфорт,11111111,no,active,prepaid,1\n"
        "375291000003,P3,individual,subscriber,Безлимит,11111111,no,active,prepaid,1\n"
        "375291000004,P4,individual,administrator,Комфорт,11111111,no,active,prepaid,1\n"
        "375291000005,P5,individual,subscriber,Комфорт,1234,no,active,prepaid,1\n"
        "375291000006,P6,individual,subscriber,Комфорт\n"
        "375291000007,P7,company,subscriber,Комфорт,11111111,no,active,prepaid,1\n"
        "375291000008,P8,individual,subscriber,Комфорт,11111111,maybe,active,prepaid,1\n"
        "375291000009,P9,individual,subscriber,Комфорт,11111111,no,active,prepaid,1.234\n"
        "375291000010,P1,legal_entity,subscriber,Комфорт,11111111,no,active,prepaid,1\n"
        "375291000001,P1,individual,subscriber,Комфорт,11111111,no,active,prepaid,1\n"
        "\"375291000011,P11,individual,subscriber,Комфорт,11111111,no,active,prepaid,1\n";
    auto s = import_csv(cfg, csv);
    CHECK_FALSE(s.written);
    CHECK(s.rejected == 11);
    REQUIRE(s.errors.size() == 11);
    CHECK(s.errors[0].line == 3);
    CHECK(s.errors[0].message.find("msisdn '+375291000002'") != std::string::npos);
    CHECK(s.errors[1].message.find("tariff_plan 'Безлимит'") != std::string::npos);
    CHECK(s.errors[2].message.find("legal entities") != std::string::npos);
    CHECK(s.errors[3].message.find("puk1 must be exactly 8 digits") != std::string::npos);
    CHECK(s.errors[3].message.find("1234") == std::string::npos);  // the secret is not echoed
    CHECK(s.errors[4].message.find("expected 11 columns") != std::string::npos);
    CHECK(s.errors[5].message.find("client_kind 'company'") != std::string::npos);
    CHECK(s.errors[6].message.find("puk_login 'maybe'") != std::string::npos);
    CHECK(s.errors[7].message.find("decimals") != std::string::npos);
    CHECK(s.errors[8].message.find("client 'P1' is legal_entity here but individual on line 2") !=
          std::string::npos);
    CHECK(s.errors[9].message.find("already on line 2") != std::string::npos);
    CHECK(s.errors[10].message.find("unterminated") != std::string::npos);
    CHECK(count_subscribers(cfg) == 0);

    // with `partial`, the good line goes in
    ImportOptions partial;
    partial.partial = true;
    auto p = import_csv(cfg, csv, partial);
    CHECK(p.written);
    CHECK(p.inserted == 1);
    CHECK(count_subscribers(cfg) == 1);
}

TEST_CASE("a client kind conflicting with the database is a line error") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    import_csv(cfg, kSampleCsv);
    auto s = import_csv(
        cfg, "375299000001,L1,individual,subscriber,Комфорт,11111111,no,active,prepaid,0\n");
    CHECK_FALSE(s.written);
    REQUIRE(s.errors.size() == 1);
    CHECK(s.errors[0].line == 1);
    CHECK(s.errors[0].message.find("already a legal_entity") != std::string::npos);
    CHECK(count_subscribers(cfg) == 10);
}

TEST_CASE("the demo data set in conf/ imports cleanly with the shipped tariff plans") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    cfg.tariff_plans.clear();
    std::ifstream in(std::string(USSDGW_SOURCE_DIR) + "/conf/demo-subscribers.csv");
    REQUIRE(in.good());
    std::string csv((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto s = import_csv(cfg, csv);
    CHECK(s.rejected == 0);
    CHECK(s.inserted >= 10);
}

TEST_CASE("the optional language column: stored, updated, validated") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    auto s1 = import_csv(cfg,
                         "375291000001,P1,individual,subscriber,Комфорт,11111111,no,active,"
                         "prepaid,1,en\n"
                         "375291000002,P2,individual,subscriber,Комфорт,22222222,no,active,"
                         "prepaid,1\n");
    CHECK(s1.inserted == 2);
    auto s2 = import_csv(cfg,
                         "375291000001,P1,individual,subscriber,Комфорт,11111111,no,active,"
                         "prepaid,1,be\n");
    CHECK(s2.updated == 1);
    auto bad = import_csv(cfg,
                          "375291000002,P2,individual,subscriber,Комфорт,22222222,no,active,"
                          "prepaid,1,English\n");
    CHECK(bad.rejected == 1);
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0].message.find("language 'English'") != std::string::npos);
    auto st = Storage::open(cfg);
    REQUIRE(st.ok());
    CHECK((*st)->find(msisdn("375291000001"))->value().subscriber.language == "be");
    CHECK((*st)->find(msisdn("375291000002"))->value().subscriber.language.empty());
}

}  // namespace subscriber_import_test
