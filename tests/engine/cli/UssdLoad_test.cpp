// UssdLoad, `ussdgw bench ussd`'s subscribers, against a whole Engine in the test process
// (RunningEngineTestSupport) with the bench population imported: the engine's client link
// binds to the load's SMSC side, the load drives 3-step toggle dialogues for a short window
// on the same event loop, and what it counts and writes to its ledger agrees with the
// SQLite file. (The command around it, against `ussdgw run` and the node application:
// bench_ussd_smoke and fault_crash_under_load in tests/interop.)
#include "engine/cli/UssdLoad.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/RunningEngineTestSupport.hpp"
#include "engine/cli/BenchPopulation.hpp"
#include "engine/cli/ChildProcess.hpp"

namespace ussd_load_test {

using namespace ussdgw;
using namespace ussdgw::cli;
using namespace std::chrono_literals;

TEST_CASE("UssdLoad: toggle dialogues against the engine, and a ledger that agrees with it") {
    constexpr std::size_t kPopulation = 40;
    const std::uint16_t port = free_port();
    test::RunningEngine e({}, USSDGW_SOURCE_DIR "/menus/cabinet", [&](config::EngineConfig& cfg) {
        const auto work = std::filesystem::path(cfg.storage.database_path).parent_path();
        REQUIRE(population::import(cfg.storage, kPopulation, work).ok());
        REQUIRE(cfg.smpp.clients.size() == 1);
        cfg.smpp.clients[0].port = port;
        cfg.smpp.clients[0].reconnect_min = 10ms;
        cfg.smpp.clients[0].reconnect_max = 50ms;
    });
    ussdbench::LoadSettings s;
    s.population = kPopulation;
    s.concurrency = 4;
    s.warmup = 0ms;
    s.measure = 400ms;
    s.step_timeout = 3s;
    s.report_every = 100ms;
    ussdbench::UssdLoad load(e.io, {"127.0.0.1", port, "", 100}, s);
    REQUIRE(load.wait_bound(1, 5s));
    int windows = 0;
    std::vector<ussdbench::IntervalReport> intervals;
    const auto r = load.run([&](bool) { ++windows; },
                            [&](const ussdbench::IntervalReport& i) { intervals.push_back(i); });
    CHECK(windows == 2);
    // The intervals (for soaks) cover the window and add up to its figures.
    REQUIRE(intervals.size() >= 3);
    std::uint64_t in_intervals = 0;
    for (std::size_t i = 0; i < intervals.size(); ++i) {
        CHECK(intervals[i].interval_seconds > 0);
        CHECK(intervals[i].p50_ms <= intervals[i].max_ms);
        if (i > 0) CHECK(intervals[i].seconds > intervals[i - 1].seconds);
        in_intervals += intervals[i].dialogues;
    }
    CHECK(in_intervals == r.dialogues);
    CAPTURE(r.first_wrong.size() > 0 ? r.first_wrong[0] : std::string());
    CHECK(r.dialogues > 0);
    CHECK(r.steps >= 3 * r.dialogues);
    CHECK(r.wrong == 0);
    CHECK(r.refused == 0);
    CHECK(r.timed_out == 0);
    CHECK(r.unexpected == 0);
    CHECK(r.p50_ms > 0);
    CHECK(r.p50_ms <= r.max_ms);
    CHECK(r.seconds >= 0.4);

    // Every change acknowledged by a final screen is in the database: an odd number of
    // toggles leaves the access closed. Nothing is left pending after the run.
    const std::string ledger = e.dir.file("ledger.txt");
    REQUIRE(load.write_ledger(ledger));
    std::ifstream in(ledger);
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string msisdn;
        int acked = -1, pending = -1;
        fields >> msisdn >> acked >> pending;
        CAPTURE(line);
        CHECK(population::index_of(msisdn, kPopulation) >= 0);
        CHECK(pending == 0);
        auto rec = e.engine->storage().find(storage::test::msisdn(msisdn.c_str()));
        REQUIRE(rec.ok());
        REQUIRE(rec->has_value());
        CHECK((*rec)->cabinet.access_open == (acked % 2 == 0));
        ++lines;
    }
    CHECK(lines > 0);
}

}  // namespace ussd_load_test
