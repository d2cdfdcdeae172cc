// AuditLog against a real SQLite file: entries read back as written, per number, newest
// first, and paged by id.
#include "storage/AuditLog.hpp"

#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace audit_log_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {

struct AuditFixture : BareDatabase {
    AuditLog log() { return AuditLog(*db); }
    void add(const char* m, std::int64_t at, std::string action, Actor actor = {},
             Channel ch = Channel::ussd, std::string detail = {}) {
        AuditEntry e;
        e.at_ms = at;
        e.msisdn = msisdn(m);
        e.action = std::move(action);
        e.actor = std::move(actor);
        e.channel = ch;
        e.detail = std::move(detail);
        REQUIRE(log().append(e).ok());
    }
};

std::vector<std::string> actions(const std::vector<AuditEntry>& v) {
    std::vector<std::string> out;
    for (const auto& e : v)
        out.push_back(e.action);
    return out;
}

}  // namespace

TEST_CASE("an entry reads back with who acted, through which channel, when") {
    AuditFixture f;
    f.add("375291000001", 1000, "access.closed", Actor{ActorKind::manager, "375292000001"},
          Channel::http, "by the organisation");
    f.add("375291000001", 2000, "puk.wrong", Actor{ActorKind::operator_staff, "staff1"},
          Channel::cli);
    auto r = f.log().recent(msisdn("375291000001"), 10);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    const AuditEntry& closed = (*r)[1];
    CHECK(closed.id > 0);
    CHECK(closed.at_ms == 1000);
    CHECK(closed.msisdn == msisdn("375291000001"));
    CHECK(closed.action == "access.closed");
    CHECK(closed.actor.kind == ActorKind::manager);
    CHECK(closed.actor.id == "375292000001");
    CHECK(closed.channel == Channel::http);
    CHECK(closed.detail == "by the organisation");
    CHECK((*r)[0].actor.kind == ActorKind::operator_staff);
    CHECK((*r)[0].channel == Channel::cli);
    CHECK((*r)[0].detail.empty());
}

TEST_CASE("recent: one number's entries, newest first by time, limited") {
    AuditFixture f;
    f.add("375291000001", 3000, "c");
    f.add("375291000001", 1000, "a");  // written later, but older
    f.add("375291000002", 5000, "other");
    f.add("375291000001", 2000, "b");
    auto r = f.log().recent(msisdn("375291000001"), 10);
    REQUIRE(r.ok());
    CHECK(actions(*r) == std::vector<std::string>{"c", "b", "a"});
    CHECK(actions(*f.log().recent(msisdn("375291000001"), 2)) ==
          std::vector<std::string>{"c", "b"});
    CHECK(f.log().recent(msisdn("375299999999"), 10)->empty());
}

TEST_CASE("page: newest id first, then the ids below a cursor") {
    AuditFixture f;
    for (int i = 1; i <= 5; ++i)
        f.add("375291000001", 1000 * i, "e" + std::to_string(i));
    f.add("375291000002", 9000, "other");
    auto first = f.log().page(msisdn("375291000001"), 0, 2);
    REQUIRE(first.ok());
    CHECK(actions(*first) == std::vector<std::string>{"e5", "e4"});
    auto second = f.log().page(msisdn("375291000001"), first->back().id, 2);
    CHECK(actions(*second) == std::vector<std::string>{"e3", "e2"});
    auto last = f.log().page(msisdn("375291000001"), second->back().id, 2);
    CHECK(actions(*last) == std::vector<std::string>{"e1"});
    CHECK(f.log().page(msisdn("375291000001"), last->back().id, 2)->empty());
}

}  // namespace audit_log_test
