// Service requests (storage/ServiceRequests.cpp) against a real SQLite file: the rules,
// confirmation, application when due and the refusals then.
#include "storage/ServiceRequests.hpp"

#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace service_requests_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

using Fixture = WebFixture;

TEST_CASE("service requests: rules, confirmation, application, refusal when due") {
    CHECK(rules::may_change_service(ServiceState::suspended, Payment::postpaid, 0,
                                    ServiceAction::connect, 0, false)
              .error()
              .code == "service.suspended");
    CHECK(rules::may_change_service(ServiceState::active, Payment::prepaid, 100,
                                    ServiceAction::connect, 101, false)
              .error()
              .code == "balance.insufficient");
    CHECK(rules::may_change_service(ServiceState::active, Payment::postpaid, 0,
                                    ServiceAction::connect, 101, false)
              .ok());
    CHECK(rules::may_change_service(ServiceState::active, Payment::prepaid, 0,
                                    ServiceAction::disconnect, 0, false)
              .error()
              .code == "service.not_connected");

    Fixture f;
    auto g = f.login("375291000002", true, "22222222");  // postpaid
    auto ctx = f.context(*g);
    auto r = wait_for<ServiceRequest>([&](auto done) {
        f.web->create_request(ctx, "ringback", ServiceAction::connect, 250, done);
    });
    REQUIRE(r.ok());
    auto c = wait_for<ServiceRequest>([&](auto done) { f.web->confirm_request(ctx, r->id, done); });
    REQUIRE(c.ok());
    CHECK(c->state == RequestState::pending);
    CHECK(*c->effective_by_ms == f.web->now() + 5000);
    CHECK(*f.web->next_due() == f.web->now() + 5000);
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 0);  // not yet due
    f.clock.advance(std::chrono::seconds(5));
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 1);
    auto applied = f.web->service_request(ctx.record.subscriber.msisdn, r->id);
    CHECK(applied->state == RequestState::applied);
    CHECK((*f.st->find(msisdn("375291000002")))->subscriber.balance_minor == -250);
    CHECK(f.web->connected_services(msisdn("375291000002"))->size() == 1);
    auto twice =
        wait_for<ServiceRequest>([&](auto done) { f.web->confirm_request(ctx, r->id, done); });
    CHECK(twice.error().code == "request.wrong_state");
    CHECK(!f.web->next_due()->has_value());
}

TEST_CASE("a pending request is checked again when due: refused for balance or suspension") {
    Fixture f;
    auto g = f.login("375291000003", true, "33333333");  // prepaid, 5.50 BYN
    REQUIRE(g.ok());
    auto ctx = f.context(*g);
    auto pending = [&](const char* service) {
        auto r = wait_for<ServiceRequest>([&](auto done) {
            f.web->create_request(ctx, service, ServiceAction::connect, 500, done);
        });
        REQUIRE(r.ok());
        auto c =
            wait_for<ServiceRequest>([&](auto done) { f.web->confirm_request(ctx, r->id, done); });
        REQUIRE(c.ok());
        CHECK(c->state == RequestState::pending);
        return c->id;
    };
    auto set = [&](const char* assignment) {
        REQUIRE(f.st->committer()
                    .run_sync<Ok>([&](Database& db) -> Status {
                        return db.exec(std::string("UPDATE subscribers SET ") + assignment +
                                       " WHERE msisdn = 375291000003");
                    })
                    .ok());
    };
    auto poor = pending("ringback");
    set("balance_minor = 499");  // spent meanwhile
    f.clock.advance(std::chrono::seconds(5));
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 1);
    auto r = f.web->service_request(msisdn("375291000003"), poor);
    CHECK(r->state == RequestState::refused);
    CHECK(r->refusal == "balance.insufficient");
    CHECK((*f.st->find(msisdn("375291000003")))->subscriber.balance_minor == 499);
    CHECK(f.web->connected_services(msisdn("375291000003"))->empty());

    set("balance_minor = 550");
    auto later = pending("antispam");
    set("service_state = 'suspended'");
    f.clock.advance(std::chrono::seconds(5));
    CHECK(*wait_for<int>([&](auto done) { f.web->apply_due(10, done); }) == 1);
    r = f.web->service_request(msisdn("375291000003"), later);
    CHECK(r->state == RequestState::refused);
    CHECK(r->refusal == "service.suspended");
    auto audit = f.web->audit(msisdn("375291000003"), 0, 20);
    int refused = 0;
    for (const auto& e : audit->items)
        refused += e.action == "service.refused";
    CHECK(refused == 2);
}

}  // namespace service_requests_test
