// engine/cli/UssdBenchTargets: the systems `ussdgw bench ussd` (UssdBenchCommand.cpp) measures,
// and how. `bench_engine` runs `ussdgw run` (this binary) on a fresh copy of a cached database of
// `subscribers` subscribers (build/bench/db-N, created once by BenchPopulation) with the shipped
// menus and storage settings plus the bench's options; `bench_node` runs
// scripts/node/ussd-app.js, a minimal USSD application on the npm `smpp` package. Each binds to
// a UssdLoad (the USSD centre and the SMSC) over `links` links; then the load runs, and the
// target's CPU time, resident and peak memory are read from /proc around the window (and with
// `idle`, what N open idle dialogues cost). With `report_every`, a line per interval is printed
// as the window goes (soaks). The child is stopped before they return.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/cli/ChildProcess.hpp"
#include "engine/cli/UssdLoad.hpp"

namespace ussdgw::cli::ussdbench {

// What `ussdgw bench ussd` was asked for (its command-line options).
struct BenchOptions {
    std::size_t subscribers = 1'000'000;
    std::size_t concurrency = 1000;
    std::size_t links = 2;
    std::uint32_t window = 1000;
    double seconds = 10, warmup = 2, rate = 0;
    std::string scenario = "toggle";
    std::string order = "scattered";  // ussdbench::SubscriberOrder
    std::string target = "both";      // both, engine, node
    std::size_t idle = 0;
    std::string cache_dir;  // default: <build>/bench
    std::string csv;        // append one line per target to this file
    std::string node = "node";
    bool keep = false;
    double kill_after = 0;  // crash test: SIGKILL the engine after this long under load
    std::string ledger;     // crash test: what the subscribers were told (UssdLoad::write_ledger)
    std::string work_dir;   // instead of a temporary directory (kept)
    double password_share = 0;       // percent of the dialogues that ask for a new password
    std::size_t hash_workers = 0;    // [storage] hash_workers of the engine; 0 = its default
    std::uint32_t loop_threads = 0;  // [ussd] loop_threads of the engine
    std::string commit_delay;        // [storage] group_commit_max_delay of the engine; "" = default
    std::vector<std::string> storage_set;  // more [storage] lines of the engine: KEY=VALUE
    double report_every = 0;               // seconds between interval lines (soaks); 0 = none
};

// What one target did in the window.
struct TargetMeasurement {
    std::string name;
    std::optional<LoadResult> load;
    std::string error;
    double cpu_seconds = 0;         // the target's, during the window
    ProcessUsage at_start, at_end;  // the target's, at the window's ends
    std::uint64_t hwm_kib = 0;      // the target's peak resident memory
    std::size_t idle_opened = 0;
    double idle_bytes = 0;       // resident memory per open idle dialogue
    double idle_anon_bytes = 0;  // of which anonymous (RssAnon)
};

// `dir`: the run's directory (the database copy, the engine's config and log).
TargetMeasurement bench_engine(const BenchOptions& o, LoadSettings settings,
                               const std::filesystem::path& dir);
TargetMeasurement bench_node(const BenchOptions& o, LoadSettings settings,
                             const std::filesystem::path& dir);

}  // namespace ussdgw::cli::ussdbench
