#include "engine/cli/UssdBenchTargets.hpp"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <fstream>

#include "engine/cli/BenchPopulation.hpp"
#include "storage/StorageConfig.hpp"

namespace ussdgw::cli::ussdbench {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

fs::path build_dir() {
    return fs::path(self_path()).parent_path();
}

// --storage-set KEY=VALUE options as TOML lines (VALUE as written: 4000, "normal").
std::string storage_lines(const BenchOptions& o) {
    std::string out;
    for (const auto& kv : o.storage_set) {
        auto eq = kv.find('=');  // present: the option's check
        out += kv.substr(0, eq) + " = " + kv.substr(eq + 1) + "\n";
    }
    return out;
}

std::string engine_config(const BenchOptions& o, std::uint16_t port, const fs::path& dir,
                          const storage::StorageConfig& db) {
    // With loop threads the USSD links are ussd-only (so they are spread over the loops) and
    // the SMS leave on a link of their own, on the main loop.
    auto client = [port](const std::string& name, const std::string& system_id, const char* roles) {
        return fmt::format(R"(
[[smpp.client]]
name = "{}"
host = "127.0.0.1"
port = {}
system_id = "{}"
password = "bench"
roles = {}
)",
                           name, port, system_id, roles);
    };
    std::string links;
    for (std::size_t i = 0; i < o.links; ++i)
        links += client(fmt::format("bench{}", i), fmt::format("bench{}", i),
                        o.loop_threads > 0 ? R"(["ussd"])" : R"(["ussd", "sms"])");
    if (o.loop_threads > 0) links += client("sms", ussdbench::kSmsOnlySystemId, R"(["sms"])");
    return fmt::format(
        R"([log]
level = "warn"

[smpp]
window = {}
receive_window = {}
reconnect_min = "100ms"
{}
[smpp.server]
enabled = false

[ussd]
loop_threads = {}

[menus]
directory = "{}"
step_timeout = "120s"
dialogue_timeout = "300s"

[storage]
database = "{}"
key_file = "{}"
{}
[http]
enabled = false
)",
        o.window, std::max<std::uint32_t>(o.window, 1000), links, o.loop_threads,
        source_file("menus/cabinet"), (dir / "subscribers.db").string(), db.key_file,
        (o.hash_workers ? fmt::format("hash_workers = {}\n", o.hash_workers) : "") +
            (o.commit_delay.empty()
                 ? ""
                 : fmt::format("group_commit_max_delay = \"{}\"\n", o.commit_delay)) +
            storage_lines(o));
}

// One line per --report-every interval: the 3-step figures of the interval, the target's
// resident memory and, for the engine, the size of its database file and of its WAL (the
// SQLite page caches may grow with the database, up to their bound).
void print_interval(const ussdbench::IntervalReport& r, const ProcessUsage& u,
                    const fs::path& database) {
    auto mib = [](const fs::path& file) {
        std::error_code ec;
        const auto bytes = fs::file_size(file, ec);
        return ec ? 0.0 : static_cast<double>(bytes) / 1048576.0;
    };
    std::string files;
    if (!database.empty())
        files = fmt::format(", database {:.1f} MiB, WAL {:.1f} MiB", mib(database),
                            mib(database.string() + "-wal"));
    std::printf(
        "  at %6.1f s: %7.0f dialogues/s, step p50 %6.2f p99 %7.2f max %7.1f ms, resident %.1f "
        "MiB (%.1f anonymous)%s\n",
        r.seconds,
        r.interval_seconds > 0 ? static_cast<double>(r.dialogues) / r.interval_seconds : 0,
        r.p50_ms, r.p99_ms, r.max_ms, static_cast<double>(u.rss_kib) / 1024.0,
        static_cast<double>(u.anon_kib) / 1024.0, files.c_str());
    std::fflush(stdout);
}

// Runs the load (and the idle measure) against a child that binds to `load`. `database`:
// the engine's database file (empty for node).
TargetMeasurement measure(const std::string& name, Child& child, ussdbench::UssdLoad& load,
                          const BenchOptions& o, const fs::path& database = {}) {
    TargetMeasurement m;
    m.name = name;
    const std::size_t sms_links = !database.empty() && o.loop_threads > 0 ? 1 : 0;
    if (!load.wait_bound(o.links, 30s, sms_links)) {
        m.error = fmt::format("{} of {} links bound within 30 s; its log:\n{}", load.links(),
                              o.links, child.stderr_text());
        return m;
    }
    ProcessUsage before;
    m.load = load.run(
        [&](bool start) {
            if (!start && o.kill_after > 0) {
                child.kill_now();
                if (!o.ledger.empty() && !load.write_ledger(o.ledger))
                    m.error = "cannot write the ledger " + o.ledger;
                return;
            }
            auto u = process_usage(child.pid);
            if (start) {
                before = u;
                m.at_start = u;
            } else {
                m.cpu_seconds = u.cpu_seconds - before.cpu_seconds;
                m.at_end = u;
            }
        },
        [&](const ussdbench::IntervalReport& r) {
            print_interval(r, process_usage(child.pid), database);
        });
    if (o.kill_after > 0) return m;
    if (o.idle > 0) {
        const auto before_idle = process_usage(child.pid);
        ProcessUsage after_idle;
        m.idle_opened =
            load.open_idle(o.idle, 120s, [&] { after_idle = process_usage(child.pid); });
        // Per dialogue actually open (all answered): fewer than asked would flatter it.
        const double opened = static_cast<double>(std::max<std::size_t>(m.idle_opened, 1));
        auto per_dialogue = [&](std::uint64_t after_kib, std::uint64_t before_kib) {
            return (static_cast<double>(after_kib) - static_cast<double>(before_kib)) * 1024.0 /
                   opened;
        };
        m.idle_bytes = per_dialogue(after_idle.rss_kib, before_idle.rss_kib);
        m.idle_anon_bytes = per_dialogue(after_idle.anon_kib, before_idle.anon_kib);
        if (m.idle_opened < o.idle)
            m.error = fmt::format("only {} of {} idle dialogues opened within 120 s", m.idle_opened,
                                  o.idle);
    }
    m.hwm_kib = process_usage(child.pid).hwm_kib;
    return m;
}

}  // namespace

TargetMeasurement bench_engine(const BenchOptions& o, LoadSettings settings, const fs::path& dir) {
    TargetMeasurement m;
    m.name = "ussdgw";
    storage::StorageConfig base;
    const fs::path cache = (o.cache_dir.empty() ? build_dir() / "bench" : fs::path(o.cache_dir)) /
                           fmt::format("db-{}", o.subscribers);
    auto db = population::cached_database(base, o.subscribers, cache);
    if (!db) {
        m.error = db.error().message;
        return m;
    }
    std::error_code ec;
    // A --work-dir used before still holds the last run's WAL: SQLite would replay it onto
    // the fresh copy (a malformed database, or wrong screens from mixed pages).
    for (const char* stale : {"subscribers.db-wal", "subscribers.db-shm"})
        fs::remove(dir / stale, ec);
    fs::copy_file(db->database_path, dir / "subscribers.db", fs::copy_options::overwrite_existing,
                  ec);
    if (ec) {
        m.error = "cannot copy the database: " + ec.message();
        return m;
    }
    boost::asio::io_context io;
    ussdbench::UssdLoad load(io, {"127.0.0.1", 0, "bench", o.window}, settings);
    const fs::path conf = dir / "engine.toml";
    std::ofstream(conf) << engine_config(o, load.port(), dir, *db);
    auto child =
        spawn_child({self_path(), "--config", conf.string(), "run"}, (dir / "engine.log").string());
    if (!child) {
        m.error = "cannot spawn ussdgw run";
        return m;
    }
    m = measure(m.name, *child, load, o, dir / "subscribers.db");
    child->stop(10s);
    return m;
}

TargetMeasurement bench_node(const BenchOptions& o, LoadSettings settings, const fs::path& dir) {
    TargetMeasurement m;
    m.name = "node smpp app";
    settings.password_share = 0;  // the node application serves the 3-step dialogues only
    boost::asio::io_context io;
    ussdbench::UssdLoad load(io, {"127.0.0.1", 0, "bench", o.window}, settings);
    auto child = spawn_child(
        {o.node, source_file("scripts/node/ussd-app.js"), "--port", std::to_string(load.port()),
         "--links", std::to_string(o.links), "--subscribers", std::to_string(o.subscribers)},
        (dir / "node.log").string());
    if (!child) {
        m.error = "cannot spawn " + o.node;
        return m;
    }
    m = measure(m.name, *child, load, o);
    child->stop(5s);
    return m;
}

}  // namespace ussdgw::cli::ussdbench
