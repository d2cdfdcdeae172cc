// WebCabinet's views and staff actions (storage/WebCabinetViews.cpp) against a real SQLite
// file: the organisation's subscribers filtered and paged, a manager's view of its own
// client only, the operator's staff provisioning and closing, and the paged lists (audit,
// SMS) with their cursors.
#include <doctest/doctest.h>

#include <algorithm>

#include "StorageTestSupport.hpp"
#include "storage/WebCabinet.hpp"

namespace web_cabinet_views_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct ViewsFixture : WebFixture {
    // A manager's session context as the API holds it (only the record matters here).
    SessionContext manager(const char* m) {
        auto r = web->subscriber(msisdn(m));
        REQUIRE(r.ok());
        REQUIRE(r->has_value());
        SessionContext c;
        c.session.msisdn = msisdn(m);
        c.record = **r;
        return c;
    }
    SubscriberRecord record(const char* m) {
        auto r = web->subscriber(msisdn(m));
        REQUIRE(r.ok());
        REQUIRE(r->has_value());
        return **r;
    }
    template <typename T, typename F>
    Result<T> call(F f) {
        return wait_for<T>(f);
    }
};

std::vector<std::int64_t> numbers(const Page<SubscriberRecord>& p) {
    std::vector<std::int64_t> out;
    for (const auto& r : p.items)
        out.push_back(r.subscriber.msisdn.number());
    return out;
}

}  // namespace

TEST_CASE("client_subscribers: one client's numbers in order, filtered, paged after the last") {
    ViewsFixture f;
    OrgFilter all;
    auto p = f.web->client_subscribers("L1", all);
    REQUIRE(p.ok());
    CHECK(numbers(*p) ==
          std::vector<std::int64_t>{375292000001, 375292000002, 375292000003, 375292000004});
    CHECK_FALSE(p->next.has_value());

    OrgFilter two;
    two.limit = 2;
    p = f.web->client_subscribers("L1", two);
    CHECK(numbers(*p) == std::vector<std::int64_t>{375292000001, 375292000002});
    REQUIRE(p->next.has_value());
    two.after = *p->next;
    p = f.web->client_subscribers("L1", two);
    CHECK(numbers(*p) == std::vector<std::int64_t>{375292000003, 375292000004});
    CHECK_FALSE(p->next.has_value());

    OrgFilter prefix;
    prefix.prefix = "37529200000";
    CHECK(f.web->client_subscribers("L1", prefix)->items.size() == 4);
    prefix.prefix = "375293";  // L2's numbers: not in L1's list
    CHECK(f.web->client_subscribers("L1", prefix)->items.empty());

    REQUIRE(f.call<Ok>([&](auto done) {
                 f.web->staff_close(msisdn("375292000003"), ClosedBy::operator_restriction,
                                    "staff1", done);
             }).ok());
    OrgFilter closed;
    closed.access_open = false;
    CHECK(numbers(*f.web->client_subscribers("L1", closed)) ==
          std::vector<std::int64_t>{375292000003});
    closed.access_open = true;
    CHECK(f.web->client_subscribers("L1", closed)->items.size() == 3);
}

TEST_CASE("a manager sees and changes its own client's numbers; others are not_found") {
    ViewsFixture f;
    const auto admin = f.manager("375292000001");
    CHECK(f.web->managed(admin, msisdn("375292000003"))->subscriber.client_id == "L1");
    CHECK(f.web->managed(admin, msisdn("375293000001")).error().code == "not_found");
    CHECK(f.web->managed(admin, msisdn("375299999999")).error().code == "not_found");

    auto other = f.call<SubscriberRecord>(
        [&](auto done) { f.web->manager_set_access(admin, msisdn("375293000001"), false, done); });
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == "not_found");  // told exactly like an unknown number
    CHECK(f.record("375293000001").cabinet.access_open);

    auto closed = f.call<SubscriberRecord>(
        [&](auto done) { f.web->manager_set_access(admin, msisdn("375292000003"), false, done); });
    REQUIRE(closed.ok());
    CHECK_FALSE(closed->cabinet.access_open);
    CHECK(closed->cabinet.closed_by == ClosedBy::organisation);
    auto opened = f.call<SubscriberRecord>(
        [&](auto done) { f.web->manager_set_access(admin, msisdn("375292000003"), true, done); });
    REQUIRE(opened.ok());
    CHECK(opened->cabinet.access_open);
}

TEST_CASE("staff: put_subscriber needs a PUK1 for a new number; changes are audited once") {
    ViewsFixture f;
    Subscriber s;
    s.msisdn = msisdn("375291000099");
    s.client_id = "P99";
    s.tariff_plan = "Комфорт";
    auto put = [&](std::optional<Secret> puk) {
        return f.call<bool>(
            [&](auto done) { f.web->put_subscriber(s, std::move(puk), "staff1", done); });
    };
    CHECK(put(std::nullopt).error().code == "puk1.required");
    CHECK(*put(Secret("99999999")) == true);  // inserted
    CHECK(*put(std::nullopt) == false);       // unchanged, the PUK1 kept
    s.tariff_plan = "Видеонаблюдение";
    CHECK(*put(std::nullopt) == false);  // updated
    auto rec = f.record("375291000099");
    CHECK(rec.subscriber.tariff_plan == "Видеонаблюдение");
    CHECK(rec.cabinet.puk_login_allowed);  // by the new plan
    auto audit = f.web->audit(msisdn("375291000099"), 0, 10);
    REQUIRE(audit.ok());
    REQUIRE(audit->items.size() == 2);
    CHECK(audit->items[0].action == "subscriber.updated");
    CHECK(audit->items[1].action == "subscriber.created");
    CHECK(audit->items[1].detail == "puk1=replaced");
    CHECK(audit->items[1].actor.kind == ActorKind::operator_staff);
    CHECK(audit->items[1].actor.id == "staff1");
    // The PUK1 given is the one on file.
    CHECK(f.login("375291000099", true, "99999999").ok());
}

TEST_CASE("staff: PUK1 login switched individually, access closed and reopened") {
    ViewsFixture f;
    const auto m = msisdn("375291000001");
    auto puk_login = [&](bool on) {
        return f.call<Ok>([&](auto done) { f.web->set_puk_login(m, on, "staff1", done); });
    };
    REQUIRE(puk_login(true).ok());
    REQUIRE(puk_login(true).ok());  // no change, no second entry
    CHECK(f.record("375291000001").cabinet.puk_login_allowed);
    REQUIRE(puk_login(false).ok());
    CHECK_FALSE(f.record("375291000001").cabinet.puk_login_allowed);
    CHECK(f.call<Ok>([&](auto done) {
               f.web->set_puk_login(msisdn("375299999999"), true, "staff1", done);
           })
              .error()
              .code == "not_found");

    REQUIRE(f.call<Ok>([&](auto done) {
                 f.web->staff_close(m, ClosedBy::operator_lost_sim, "staff1", done);
             }).ok());
    CHECK(f.record("375291000001").cabinet.closed_by == ClosedBy::operator_lost_sim);
    REQUIRE(f.call<Ok>([&](auto done) { f.web->staff_open(m, "staff1", done); }).ok());
    CHECK(f.record("375291000001").cabinet.access_open);

    std::vector<std::string> actions;
    auto audit = f.web->audit(m, 0, 10);
    REQUIRE(audit.ok());
    for (const auto& e : audit->items)
        actions.push_back(e.action);
    REQUIRE(actions.size() >= 4);
    CHECK(actions[2] == "puk_login.disabled");
    CHECK(actions[3] == "puk_login.enabled");
    CHECK(std::count(actions.begin(), actions.end(), "puk_login.enabled") == 1);
}

TEST_CASE("audit and SMS lists: newest first, pages joined by their cursors") {
    ViewsFixture f;
    const auto m = msisdn("375291000001");
    for (int i = 0; i < 5; ++i) {
        const bool on = i % 2 == 0;
        REQUIRE(f.call<Ok>([&](auto done) { f.web->set_puk_login(m, on, "staff1", done); }).ok());
    }
    std::vector<std::int64_t> ids;
    std::int64_t before = 0;
    for (int page = 0; page < 10; ++page) {
        auto p = f.web->audit(m, before, 2);
        REQUIRE(p.ok());
        CHECK(p->items.size() <= 2);
        for (const auto& e : p->items)
            ids.push_back(e.id);
        if (!p->next) break;
        CHECK(*p->next == p->items.back().id);
        before = *p->next;
    }
    CHECK(ids.size() == 5);
    CHECK(std::is_sorted(ids.rbegin(), ids.rend()));

    for (int i = 0; i < 2; ++i)
        REQUIRE(f.call<PasswordIssued>([&](auto done) {
                     f.st->cabinet().issue_password(m, Channel::ussd, done);
                 }).ok());
    auto first = f.web->sms(m, 0, 1);
    REQUIRE(first.ok());
    REQUIRE(first->items.size() == 1);
    CHECK(first->items[0].state == OutboxState::pending);
    REQUIRE(first->next.has_value());
    auto second = f.web->sms(m, *first->next, 1);
    REQUIRE(second->items.size() == 1);
    CHECK(second->items[0].id < first->items[0].id);
    CHECK_FALSE(second->next.has_value());
    CHECK(f.web->sms(msisdn("375291000003"), 0, 10)->items.empty());
}

TEST_CASE("a staff CSV upload imports through the writer and reports what it did") {
    ViewsFixture f;
    auto r = f.call<ImportSummary>([&](auto done) {
        f.web->import_subscribers(
            "msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,"
            "payment,balance\n"
            "375291000077,P77,individual,subscriber,Комфорт,77777777,no,active,prepaid,1.00\n"
            "375291000001,P1,individual,subscriber,Комфорт,11111111,no,active,prepaid,10.00\n",
            false, done);
    });
    REQUIRE(r.ok());
    CHECK(r->rows == 2);
    CHECK(r->inserted == 1);
    CHECK(r->unchanged == 1);
    CHECK(r->written);
    CHECK(f.record("375291000077").subscriber.balance_minor == 100);
}

}  // namespace web_cabinet_views_test
