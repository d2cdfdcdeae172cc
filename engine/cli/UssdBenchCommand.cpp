// `ussdgw bench ussd`: complete USSD dialogues per second through SMPP, the menus and SQLite
// together. The bench plays the USSD centre and the SMSC (engine/cli/UssdLoad, over
// smpp/SmppLoadServer); the system under test binds to it over `--links` links (how each is
// run and measured: engine/cli/UssdBenchTargets):
//   1. `ussdgw run` (this binary) on a copy of a cached database of `--subscribers`
//      subscribers (build/bench/, created once by the provisioning import), with the
//      shipped menus and storage settings (synchronous = full, the default Argon2id cost);
//   2. the same dialogues served by scripts/node/ussd-app.js, a minimal USSD application on
//      the npm `smpp` package keeping its dialogues in memory, as integrators write it.
// For each: dialogues/s, steps/s, step latency p50/p99/p99.9, the target's CPU per dialogue
// (/proc/<pid>/stat) and peak memory (VmHWM), the generator's own CPU; then, with --idle N,
// N dialogues opened and left idle: (VmRSS after - VmRSS before) / the number opened (the
// anonymous part, RssAnon, beside it: the heap, without the file pages of SQLite's mapped
// database that the dialogues' lookups touch). Then the ratio.
// With --password-share P, P percent of the dialogues are password dialogues (*141*0#: an
// Argon2id hash each, then an SMS the bench's SMSC side accepts); the main figures stay the
// 3-step dialogues', and the password dialogues get a line of their own: their rate, their
// latency, their final screens by kind and how many came within the step deadline.
// With --report-every S (soaks), a line every S seconds of the window: the interval's rate
// and step latency, the target's resident memory, the engine's database and WAL sizes.
#include <fmt/format.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "engine/base/Log.hpp"
#include "engine/cli/ChildProcess.hpp"
#include "engine/cli/Commands.hpp"
#include "engine/cli/UssdBenchTargets.hpp"
#include "engine/cli/UssdLoad.hpp"

namespace ussdgw::cli {
namespace {

namespace fs = std::filesystem;
using ussdbench::BenchOptions;
using ussdbench::LoadResult;
using ussdbench::PasswordResult;
using ussdbench::TargetMeasurement;

void print_row(const TargetMeasurement& m) {
    if (!m.load) {
        std::printf("%-14s FAILED: %s\n", m.name.c_str(), m.error.c_str());
        return;
    }
    const LoadResult& r = *m.load;
    const double per = r.dialogues ? 1e6 / static_cast<double>(r.dialogues) : 0;
    std::printf("%-14s %9.0f %9.0f %7.2f %7.2f %8.2f %8.1f %8.1f %8.1f %8.1f %6llu %6llu %6llu\n",
                m.name.c_str(), r.dialogues_per_second(), r.steps_per_second(), r.p50_ms, r.p99_ms,
                r.p999_ms, r.max_ms, m.cpu_seconds * per, r.generator_cpu_seconds * per,
                static_cast<double>(m.hwm_kib) / 1024.0, static_cast<unsigned long long>(r.wrong),
                static_cast<unsigned long long>(r.timed_out),
                static_cast<unsigned long long>(r.refused + r.unexpected));
    auto mib = [](std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; };
    std::printf(
        "%-14s   resident memory %.1f MiB at the start of the window (%.1f MiB anonymous), %.1f "
        "MiB at the end (%.1f MiB anonymous)\n",
        "", mib(m.at_start.rss_kib), mib(m.at_start.anon_kib), mib(m.at_end.rss_kib),
        mib(m.at_end.anon_kib));
    if (r.password.dialogues + r.password.late > 0) {
        const PasswordResult& p = r.password;
        std::printf(
            "%-14s   password dialogues: %.0f/s, step p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
            "final screens: %llu sent, %llu try later, %llu limit, %llu access closed; %llu "
            "within the %lld ms step deadline, %llu late; %llu SMS accepted\n",
            "", r.seconds > 0 ? static_cast<double>(p.dialogues) / r.seconds : 0.0, p.p50_ms,
            p.p99_ms, p.max_ms, static_cast<unsigned long long>(p.sent),
            static_cast<unsigned long long>(p.try_later), static_cast<unsigned long long>(p.limit),
            static_cast<unsigned long long>(p.access_closed),
            static_cast<unsigned long long>(p.within_deadline),
            static_cast<long long>(ussdbench::LoadSettings{}.step_timeout.count()),
            static_cast<unsigned long long>(p.late), static_cast<unsigned long long>(r.sms));
    }
    for (const auto& w : r.first_wrong)
        std::printf("%-14s   wrong: %s\n", "", w.c_str());
}

void append_csv(const BenchOptions& o, const TargetMeasurement& m, const std::string& db_fs) {
    if (o.csv.empty() || !m.load) return;
    const bool fresh = !fs::exists(o.csv);
    std::ofstream f(o.csv, std::ios::app);
    if (fresh)
        f << "target,scenario,concurrency,links,rate,dialogues_per_s,steps_per_s,p50_ms,p99_ms,"
             "p999_ms,max_ms,cpu_us_per_dialogue,generator_cpu_us_per_dialogue,peak_mib,wrong,"
             "timed_out,refused,idle_opened,idle_bytes,seconds,rss_start_mib,rss_end_mib,"
             "anon_start_mib,anon_end_mib,idle_anon_bytes,password_share,password_per_s,"
             "password_p99_ms,password_max_ms,password_sent,password_try_later,password_late,"
             "database_fs,loop_threads\n";
    const LoadResult& r = *m.load;
    const double per = r.dialogues ? 1e6 / static_cast<double>(r.dialogues) : 0;
    f << fmt::format(
        "{},{},{},{},{},{:.0f},{:.0f},{:.3f},{:.3f},{:.3f},{:.3f},{:.1f},{:.1f},{:.1f},{},{},{},{},"
        "{:.0f},{:.1f},{:.1f},{:.1f},{:.1f},{:.1f},{:.0f},{:g},{:.1f},{:.3f},{:.3f},{},{},{},{},{}"
        "\n",
        m.name, o.scenario, o.concurrency, o.links, o.rate, r.dialogues_per_second(),
        r.steps_per_second(), r.p50_ms, r.p99_ms, r.p999_ms, r.max_ms, m.cpu_seconds * per,
        r.generator_cpu_seconds * per, static_cast<double>(m.hwm_kib) / 1024.0, r.wrong,
        r.timed_out, r.refused + r.unexpected, m.idle_opened, m.idle_bytes, r.seconds,
        static_cast<double>(m.at_start.rss_kib) / 1024.0,
        static_cast<double>(m.at_end.rss_kib) / 1024.0,
        static_cast<double>(m.at_start.anon_kib) / 1024.0,
        static_cast<double>(m.at_end.anon_kib) / 1024.0, m.idle_anon_bytes,
        m.name == "ussdgw" ? o.password_share : 0.0,
        r.seconds > 0 ? static_cast<double>(r.password.dialogues) / r.seconds : 0.0,
        r.password.p99_ms, r.password.max_ms, r.password.sent, r.password.try_later,
        r.password.late, m.name == "ussdgw" ? db_fs : "", m.name == "ussdgw" ? o.loop_threads : 0);
}

int run_bench(const BenchOptions& o) {
    const auto scenario = ussdbench::scenario_named(o.scenario);
    ussdbench::LoadSettings settings;
    settings.scenario = *scenario;
    settings.order = o.order == "adjacent" ? ussdbench::SubscriberOrder::adjacent
                                           : ussdbench::SubscriberOrder::scattered;
    settings.population = o.subscribers;
    settings.concurrency = std::min(o.concurrency, o.subscribers);
    settings.rate = o.rate;
    settings.password_share = o.password_share;
    settings.report_every =
        std::chrono::milliseconds(static_cast<long long>(o.report_every * 1000));
    settings.warmup = std::chrono::milliseconds(static_cast<long long>(o.warmup * 1000));
    settings.measure = std::chrono::milliseconds(
        static_cast<long long>((o.kill_after > 0 ? o.kill_after : o.seconds) * 1000));

    char tmpl[] = "/tmp/ussdgw-bench-ussd-XXXXXX";
    std::error_code ec;
    if (!o.work_dir.empty()) {
        fs::create_directories(o.work_dir, ec);
    } else if (!mkdtemp(tmpl)) {
        std::fprintf(stderr, "bench: cannot create a temporary directory\n");
        return 1;
    }
    const fs::path dir = o.work_dir.empty() ? fs::path(tmpl) : fs::path(o.work_dir);
    const std::string db_fs = filesystem_name(dir);
    std::printf(
        "ussdgw bench ussd: scenario %s (3 steps)%s, %zu subscribers (%s), %zu links%s, "
        "concurrency "
        "%zu%s, window %u, %.0f s after %.0f s of warm-up, 127.0.0.1; the engine's database on "
        "%s (%s)\n",
        o.scenario.c_str(),
        o.password_share > 0
            ? fmt::format(" with {:g}% password dialogues (*141*0#; counted apart)",
                          o.password_share)
                  .c_str()
            : "",
        o.subscribers, o.order.c_str(), o.links,
        o.loop_threads > 0 ? fmt::format(" on {} loop threads", o.loop_threads).c_str() : "",
        settings.concurrency,
        o.rate > 0 ? fmt::format(" at {:.0f} dialogues/s", o.rate).c_str() : "", o.window,
        o.seconds, o.warmup, db_fs.c_str(), dir.c_str());
    std::fflush(stdout);
    std::vector<TargetMeasurement> rows;
    auto header = [] {
        std::printf("%-14s %9s %9s %7s %7s %8s %8s %8s %8s %8s %6s %6s %6s\n", "target", "dialog/s",
                    "steps/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "CPU us/d", "gen us/d",
                    "peak MiB", "wrong", "t/out", "refus");
    };
    bool printed_header = false;
    for (const char* t : {"engine", "node"}) {
        if (o.target != "both" && o.target != t) continue;
        rows.push_back(std::string(t) == "engine" ? ussdbench::bench_engine(o, settings, dir)
                                                  : ussdbench::bench_node(o, settings, dir));
        if (!printed_header && rows.back().load) {
            header();
            printed_header = true;
        }
        print_row(rows.back());
        append_csv(o, rows.back(), db_fs);
        std::fflush(stdout);
    }
    for (const auto& m : rows)
        if (m.load && !m.error.empty()) std::printf("%s: %s\n", m.name.c_str(), m.error.c_str());
    for (const auto& m : rows)
        if (m.idle_opened)
            std::printf(
                "%s: %zu idle dialogues open: %.0f bytes of resident memory each (%.0f "
                "anonymous)\n",
                m.name.c_str(), m.idle_opened, m.idle_bytes, m.idle_anon_bytes);
    if (rows.size() == 2 && rows[0].load && rows[1].load &&
        rows[1].load->dialogues_per_second() > 0)
        std::printf("ratio ussdgw/node: %.2fx complete dialogues per second\n",
                    rows[0].load->dialogues_per_second() / rows[1].load->dialogues_per_second());
    int rc = 0;
    for (const auto& m : rows)
        if (!m.load || m.load->dialogues == 0 || m.load->wrong > 0 || !m.error.empty()) rc = 1;
    if (o.kill_after > 0 && !rows.empty() && rows[0].load)
        std::printf("engine killed (SIGKILL) after %.1f s under load; its files are in %s\n",
                    o.kill_after, dir.c_str());
    if (o.keep || !o.work_dir.empty())
        std::printf("logs and the database copy kept in %s\n", dir.c_str());
    else
        fs::remove_all(dir, ec);
    return rc;
}

CLI::App* bench_command(CLI::App& app) {
    for (auto* sub : app.get_subcommands({}))
        if (sub->get_name() == "bench") return sub;
    auto* bench = app.add_subcommand("bench", "benchmarks (bench smpp, storage, ussd)");
    bench->require_subcommand(1);
    return bench;
}

}  // namespace

void register_ussd_bench_command(CLI::App& app, CliContext& ctx) {
    auto o = std::make_shared<BenchOptions>();
    auto* c = bench_command(app)->add_subcommand(
        "ussd", "complete USSD dialogues/s through SMPP and SQLite: ussdgw vs a node smpp app");
    c->add_option("--subscribers", o->subscribers, "subscribers in the database")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
    c->add_option("--concurrency", o->concurrency, "simulated subscribers dialling at once")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    c->add_option("--links", o->links, "SMPP links the target binds")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{64}));
    c->add_option("--window", o->window,
                  "deliver_sm outstanding per link (and the engine's window)")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    c->add_option("--seconds", o->seconds, "measured seconds per target")->capture_default_str();
    c->add_option("--warmup", o->warmup, "seconds of load before measuring")->capture_default_str();
    c->add_option("--rate", o->rate, "new dialogues per second in total (0 = as fast as answered)")
        ->capture_default_str();
    c->add_option("--scenario", o->scenario, "toggle (close/open access) or cancel (reads only)")
        ->capture_default_str()
        ->check(CLI::IsMember({"toggle", "cancel"}));
    c->add_option("--order", o->order,
                  "the order the simulated subscribers are taken in: scattered over the "
                  "database (as real ones are) or adjacent rows (few pages per commit)")
        ->capture_default_str()
        ->check(CLI::IsMember({"scattered", "adjacent"}));
    c->add_option("--password-share", o->password_share,
                  "percent of the dialogues that ask for a new password (*141*0#)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 100.0));
    c->add_option("--commit-delay", o->commit_delay,
                  "the engine's [storage] group_commit_max_delay, e.g. 1ms (default: its own)");
    c->add_option("--loop-threads", o->loop_threads,
                  "the engine's [ussd] loop_threads: its USSD links spread over this many event "
                  "loops (their SMS on one more link, on the main loop)")
        ->capture_default_str()
        ->check(CLI::Range(0, 64));
    c->add_option("--hash-workers", o->hash_workers,
                  "the engine's [storage] hash_workers (0 = its default)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{0}, std::size_t{64}));
    c->add_option("--storage-set", o->storage_set,
                  "another [storage] line for the engine, KEY=VALUE as TOML (repeatable), e.g. "
                  "group_commit_max_batch=256 or synchronous='\"normal\"'")
        ->check(CLI::Validator(
            [](std::string& kv) -> std::string {
                const auto eq = kv.find('=');
                return eq != std::string::npos && eq > 0 ? "" : "expected KEY=VALUE";
            },
            "KEY=VALUE"));
    c->add_option("--report-every", o->report_every,
                  "print the 3-step figures, resident memory and the database's and WAL's sizes "
                  "every this many seconds of the measured window (soaks)")
        ->check(CLI::Range(0.0, 3600.0));
    c->add_option("--target", o->target, "both, engine or node")
        ->capture_default_str()
        ->check(CLI::IsMember({"both", "engine", "node"}));
    c->add_option("--idle", o->idle,
                  "then open this many dialogues and measure memory per dialogue")
        ->capture_default_str();
    c->add_option("--cache-dir", o->cache_dir,
                  "where the subscriber database is cached (default: <build>/bench)");
    c->add_option("--csv", o->csv, "append one line per target to this CSV file");
    c->add_option("--node", o->node, "node executable")->capture_default_str();
    c->add_flag("--keep", o->keep, "keep the logs and the database copy in /tmp");
    c->add_option("--kill-after", o->kill_after,
                  "crash test: SIGKILL the engine after this many seconds of load (engine only)");
    c->add_option("--ledger", o->ledger,
                  "crash test: write what the subscribers were told here (MSISDN ACKED PENDING)");
    c->add_option("--work-dir", o->work_dir,
                  "put the engine's config, log and database here (kept) instead of /tmp");
    c->callback([o, &ctx] {
        signal(SIGPIPE, SIG_IGN);
        log::set_level(log::Level::warn);
        ctx.exit_code = run_bench(*o);
    });
}

}  // namespace ussdgw::cli
