// Call records (storage/CallRecords.cpp) against a real SQLite file: parsing, idempotent
// import, pages newest first.
#include "storage/CallRecords.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "StorageTestSupport.hpp"

namespace call_records_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

using Fixture = WebFixture;

TEST_CASE("call records: parsing, idempotent import, pages newest first") {
    CHECK(parse_utc_time("2026-11-20T10:15:00Z") == 1795169700000);
    CHECK(!parse_utc_time("2026-02-30T10:15:00Z"));
    CHECK(!parse_utc_time("2026-11-20 10:15:00"));
    CHECK(parse_call_line("375291000001,2026-11-20T10:15:00Z,fax,1,1,0").error().code ==
          "csv.direction");
    CHECK(parse_call_line("375291000001,2026-11-20T10:15:00Z,out,1,-1,0").error().code ==
          "csv.duration");
    CHECK(parse_call_line("375291000001,2026-11-20T10:15:00Z,out,1,1,0.123").error().code ==
          "csv.cost");
    Fixture f;
    std::string csv =
        "msisdn,started_at,direction,other_party,duration,cost\n"
        "375291000001,2026-11-20T10:15:00Z,out,375291000002,60,0.35\n"
        "375291000001,2026-11-21T10:15:00Z,in,375291000003,30,0\n"
        "375291000001,2026-11-19T10:15:00Z,data,internet,600,1.20\n";
    auto imported = f.st->committer().run_sync<ImportSummary>([&](Database& db) {
        std::istringstream in(csv);
        return CallRecords(db).import(in, {});
    });
    REQUIRE(imported.ok());
    CHECK(imported->inserted == 3);
    auto again = f.st->committer().run_sync<ImportSummary>([&](Database& db) {
        std::istringstream in(csv + "375299999999,2026-11-21T10:15:00Z,in,1,30,0\n");
        return CallRecords(db).import(in, {});
    });
    CHECK(!again->written);
    CHECK(again->errors.at(0).line == 5);
    auto page = f.web->calls(msisdn("375291000001"), 0, 2);
    REQUIRE(page->items.size() == 2);
    CHECK(page->items[0].direction == "in");
    CHECK(page->items[1].cost_minor == 35);
    auto rest = f.web->calls(msisdn("375291000001"), *page->next, 2);
    CHECK(rest->items.size() == 1);
    CHECK(rest->items[0].direction == "data");
    CHECK(!rest->next);
}

}  // namespace call_records_test
