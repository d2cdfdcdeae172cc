// SubscriberStore against a real SQLite file: clients keep their kind, upserts say what they
// did and keep the cabinet's columns, the cabinet setters reach one row or say not_found,
// secrets come out only as hashes.
#include "storage/SubscriberStore.hpp"

#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace subscriber_store_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct StoreFixture : BareDatabase {
    std::vector<std::string> puk_plans{"Видеонаблюдение"};
    SubscriberStore store() { return SubscriberStore(*db, puk_plans); }
    SubscriberRecord get(const char* m) {
        auto r = store().get(msisdn(m));
        REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
        return *r;
    }
};

Subscriber individual(const char* m, std::string plan = "Комфорт") {
    Subscriber s;
    s.msisdn = msisdn(m);
    s.client_id = "P1";
    s.client_kind = ClientKind::individual;
    s.tariff_plan = std::move(plan);
    s.balance_minor = 1050;
    s.language = "ru";
    return s;
}

}  // namespace

TEST_CASE("upsert_client: a new client is stored; its kind never changes silently") {
    StoreFixture f;
    CHECK(f.store().upsert_client("P1", ClientKind::individual).ok());
    CHECK(f.store().upsert_client("P1", ClientKind::individual).ok());
    auto st = f.store().upsert_client("P1", ClientKind::legal_entity);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "client.kind_conflict");
    CHECK(st.error().message.find("P1") != std::string::npos);
}

TEST_CASE("upsert: inserted, unchanged, updated; the record reads back") {
    StoreFixture f;
    REQUIRE(f.store().upsert_client("P1", ClientKind::individual).ok());
    auto s = individual("375291000001");
    CHECK(*f.store().upsert(s, "k1$hash", 1000) == UpsertOutcome::inserted);
    CHECK(*f.store().upsert(s, "k1$hash", 2000) == UpsertOutcome::unchanged);
    s.balance_minor = -120;
    CHECK(*f.store().upsert(s, "k1$hash", 3000) == UpsertOutcome::updated);
    CHECK(*f.store().upsert(s, "k1$other", 4000) == UpsertOutcome::updated);  // a new PUK1
    auto rec = f.get("375291000001");
    CHECK(rec.subscriber.client_id == "P1");
    CHECK(rec.subscriber.tariff_plan == "Комфорт");
    CHECK(rec.subscriber.balance_minor == -120);
    CHECK(rec.subscriber.language == "ru");
    CHECK(rec.cabinet.access_open);
    CHECK_FALSE(rec.cabinet.has_password);
    CHECK_FALSE(rec.cabinet.puk_login_allowed);
    CHECK(f.store().secrets(msisdn("375291000001"))->puk_hash == "k1$other");
    CHECK(*f.store().count() == 1);
    // An administrator of an individual client is refused by the rules before SQL.
    s.role = Role::administrator;
    CHECK_FALSE(f.store().upsert(s, "", 5000).ok());
}

TEST_CASE("find, get and secrets of a number that is not there") {
    StoreFixture f;
    auto none = f.store().find(msisdn("375299999999"));
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    auto got = f.store().get(msisdn("375299999999"));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code == "not_found");
    CHECK(*f.store().count() == 0);
}

TEST_CASE("PUK1 login is allowed by tariff plan or individually") {
    StoreFixture f;
    REQUIRE(f.store().upsert_client("P1", ClientKind::individual).ok());
    REQUIRE(f.store().upsert(individual("375291000001", "Видеонаблюдение"), "", 1).ok());
    auto s = individual("375291000002");
    s.puk_login_enabled = true;
    REQUIRE(f.store().upsert(s, "", 1).ok());
    REQUIRE(f.store().upsert(individual("375291000003"), "", 1).ok());
    CHECK(f.get("375291000001").cabinet.puk_login_allowed);
    CHECK(f.get("375291000002").cabinet.puk_login_allowed);
    CHECK_FALSE(f.get("375291000003").cabinet.puk_login_allowed);
    CHECK(f.store().secrets(msisdn("375291000003"))->puk_hash.empty());  // none on file
}

TEST_CASE("the cabinet setters change one subscriber, survive a re-upsert, or say not_found") {
    StoreFixture f;
    REQUIRE(f.store().upsert_client("P1", ClientKind::individual).ok());
    const auto s = individual("375291000001");
    REQUIRE(f.store().upsert(s, "k1$h", 1).ok());
    const auto m = msisdn("375291000001");
    REQUIRE(f.store().set_password_counter(m, {2, 7000}, 10).ok());
    REQUIRE(f.store().set_password_hash(m, "$argon2id$x", 20).ok());  // resets that counter
    REQUIRE(f.store().set_puk_counter(m, {1, 9000}, 30).ok());
    REQUIRE(f.store().set_access(m, ClosedBy::organisation, 40).ok());
    auto rec = f.get("375291000001");
    CHECK(rec.cabinet.has_password);
    CHECK(rec.cabinet.password_set_at_ms == 20);
    CHECK(rec.cabinet.password_failures == 0);
    CHECK(rec.cabinet.password_locked_until_ms == 0);
    CHECK(rec.cabinet.puk_failures == 1);
    CHECK(rec.cabinet.puk_locked_until_ms == 9000);
    CHECK_FALSE(rec.cabinet.access_open);
    CHECK(rec.cabinet.closed_by == ClosedBy::organisation);
    CHECK(rec.cabinet.closed_at_ms == 40);
    CHECK(f.store().secrets(m)->password_hash == "$argon2id$x");
    // Provisioning again keeps the cabinet's columns.
    REQUIRE(f.store().upsert(s, "k1$h", 50).ok());
    CHECK(f.get("375291000001").cabinet.closed_by == ClosedBy::organisation);
    REQUIRE(f.store().set_access(m, std::nullopt, 60).ok());
    rec = f.get("375291000001");
    CHECK(rec.cabinet.access_open);
    CHECK_FALSE(rec.cabinet.closed_by.has_value());

    const auto nobody = msisdn("375299999999");
    CHECK(f.store().set_password_hash(nobody, "h", 1).error().code == "not_found");
    CHECK(f.store().set_access(nobody, std::nullopt, 1).error().code == "not_found");
    CHECK(f.store().set_puk_counter(nobody, {}, 1).error().code == "not_found");
    CHECK(f.store().set_password_counter(nobody, {}, 1).error().code == "not_found");
}

}  // namespace subscriber_store_test
