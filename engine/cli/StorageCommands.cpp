// Storage commands for the operator's staff: `ussdgw subscribers import FILE.csv`,
// `ussdgw subscribers show MSISDN` (never prints secrets), `ussdgw access close|open MSISDN`
// (audited as channel "cli"), and `ussdgw bench storage`.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>

#include "engine/base/Log.hpp"
#include "engine/base/UtcTime.hpp"
#include "engine/cli/BenchPopulation.hpp"
#include "engine/cli/Commands.hpp"
#include "engine/config/EngineConfig.hpp"
#include "storage/Storage.hpp"
#include "storage/SubscriberImport.hpp"

namespace ussdgw::cli {
namespace {

namespace fs = std::filesystem;
using namespace storage;

std::string iso_time(std::int64_t ms) {
    return ms <= 0 ? "-" : utc_rfc3339(ms);
}

std::string money(std::int64_t minor) {
    return fmt::format("{}{}.{:02}", minor < 0 ? "-" : "", std::llabs(minor) / 100,
                       std::llabs(minor) % 100);
}

std::string default_staff() {
    const char* u = std::getenv("USER");
    return u && *u ? u : "cli";
}

int report(const Error& e) {
    std::fprintf(stderr, "ussdgw: %s: %s\n", e.code.c_str(), e.message.c_str());
    return 1;
}

int run_import(const StorageConfig& cfg, const std::string& file, bool partial) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "ussdgw: %s: cannot open\n", file.c_str());
        return 1;
    }
    auto d = open_keyed_database(cfg);
    if (!d) return report(d.error());
    auto t0 = std::chrono::steady_clock::now();
    ImportOptions opts;
    opts.partial = partial;
    auto r = import_subscribers(*d->db, d->key, cfg, in, opts, system_clock_ms());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r) return report(r.error());
    for (const auto& e : r->errors)
        std::fprintf(stderr, "%s:%zu: %s\n", file.c_str(), e.line, e.message.c_str());
    if (r->rejected > r->errors.size())
        std::fprintf(stderr, "... and %zu more bad lines\n", r->rejected - r->errors.size());
    std::printf("%s: %zu rows: %zu inserted, %zu updated, %zu unchanged, %zu rejected (%.2f s)%s\n",
                file.c_str(), r->rows, r->inserted, r->updated, r->unchanged, r->rejected, secs,
                r->written ? "" : "; nothing written (fix the lines above, or use --partial)");
    return r->rejected == 0 ? 0 : 1;
}

int run_show(const StorageConfig& cfg, const std::string& text) {
    auto m = Msisdn::parse(text);
    if (!m) return report(m.error());
    auto d = open_keyed_database(cfg);
    if (!d) return report(d.error());
    auto rec = SubscriberStore(*d->db, cfg.puk_login_tariff_plans).find(*m);
    if (!rec) return report(rec.error());
    if (!*rec) {
        std::fprintf(stderr, "ussdgw: not_found: no subscriber %s\n", m->text().c_str());
        return 1;
    }
    const Subscriber& s = (*rec)->subscriber;
    const CabinetState& c = (*rec)->cabinet;
    std::printf("msisdn           %s\n", s.msisdn.text().c_str());
    std::printf("client           %s (%s)\n", s.client_id.c_str(), to_text(s.client_kind).data());
    std::printf("role             %s\n", to_text(s.role).data());
    std::printf("tariff plan      %s\n", s.tariff_plan.c_str());
    std::printf("language         %s\n", s.language.empty() ? "(default)" : s.language.c_str());
    std::printf("PUK1 login       %s\n", !c.puk_login_allowed  ? "no"
                                         : s.puk_login_enabled ? "yes (enabled individually)"
                                                               : "yes (tariff plan)");
    std::printf("service          %s\n", to_text(s.service).data());
    std::printf("payment          %s, balance %s\n", to_text(s.payment).data(),
                money(s.balance_minor).c_str());
    std::printf(
        "password         %s\n",
        c.has_password ? fmt::format("set {}", iso_time(c.password_set_at_ms)).c_str() : "none");
    if (c.access_open)
        std::printf("cabinet access   open\n");
    else
        std::printf("cabinet access   closed by %s at %s\n",
                    c.closed_by ? to_text(*c.closed_by).data() : "?",
                    iso_time(c.closed_at_ms).c_str());
    std::int64_t now = system_clock_ms();
    std::printf("wrong PUK1       %d%s\n", c.puk_failures,
                c.puk_locked_until_ms > now
                    ? fmt::format(" (locked until {})", iso_time(c.puk_locked_until_ms)).c_str()
                    : "");
    std::printf(
        "wrong passwords  %d%s\n", c.password_failures,
        c.password_locked_until_ms > now
            ? fmt::format(" (locked until {})", iso_time(c.password_locked_until_ms)).c_str()
            : "");
    auto log = AuditLog(*d->db).recent(*m, 10);
    if (log && !log->empty()) {
        std::printf("recent changes (newest first):\n");
        for (const auto& e : *log)
            std::printf("  %s  %-16s %s %s via %s  %s\n", iso_time(e.at_ms).c_str(),
                        e.action.c_str(), to_text(e.actor.kind).data(), e.actor.id.c_str(),
                        to_text(e.channel).data(), e.detail.c_str());
    }
    return 0;
}

int run_access(const StorageConfig& cfg, bool close, const std::string& text,
               const std::string& reason, const std::string& staff) {
    auto m = Msisdn::parse(text);
    if (!m) return report(m.error());
    auto st = Storage::open(cfg);
    if (!st) return report(st.error());
    std::promise<Status> p;
    auto f = p.get_future();
    auto done = [&p](Status s) { p.set_value(std::move(s)); };
    if (close) {
        ClosedBy kind = reason == "lost-sim"      ? ClosedBy::operator_lost_sim
                        : reason == "restriction" ? ClosedBy::operator_restriction
                                                  : ClosedBy::organisation;
        (*st)->cabinet().operator_close(*m, kind, staff, Channel::cli, done);
    } else {
        (*st)->cabinet().operator_open(*m, staff, Channel::cli, done);
    }
    Status r = f.get();
    if (!r) return report(r.error());
    std::printf("%s: cabinet access %s%s\n", m->text().c_str(), close ? "closed" : "opened",
                close ? fmt::format(" ({})", reason).c_str() : "");
    return 0;
}

// ---- bench storage -----------------------------------------------------------------

struct StorageBenchOptions {
    std::size_t subscribers = 1'000'000;
    std::size_t lookups = 1'000'000;
    std::size_t changes = 100'000;
    std::size_t concurrency = 1000;
    std::string dir;
    bool keep = false;
};

int run_bench(StorageConfig cfg, const StorageBenchOptions& o) {
    fs::path dir = o.dir.empty() ? fs::temp_directory_path() /
                                       fmt::format("ussdgw-bench-storage-{}", ::getpid())
                                 : fs::path(o.dir);
    std::error_code ec;
    fs::remove_all(dir / "bench.db", ec);
    fs::remove_all(dir / "bench.db-wal", ec);
    fs::remove_all(dir / "bench.db-shm", ec);
    fs::create_directories(dir, ec);
    cfg.database_path = (dir / "bench.db").string();
    cfg.key_file = (dir / "bench.key").string();
    if (cfg.tariff_plans.empty()) cfg.tariff_plans = {"Комфорт"};
    // Passwords are not hashed in this bench; keep hashing cheap anyway.
    cfg.argon2_opslimit = 1;
    cfg.argon2_memlimit = 8192;
    const char* sync = cfg.synchronous == SyncMode::full    ? "FULL"
                       : cfg.synchronous == SyncMode::extra ? "EXTRA"
                                                            : "NORMAL";
    std::printf(
        "bench storage: %zu subscribers, WAL, synchronous=%s, group commit batch <= %zu, "
        "db %s\n",
        o.subscribers, sync, cfg.group_commit_max_batch, cfg.database_path.c_str());

    // 1. Import from a generated CSV file (parse, keyed PUK1 hash, upsert, one commit).
    {
        auto r = population::import(cfg, o.subscribers, dir);
        if (!r) return report(r.error());
        std::printf("import:   %zu rows in %.2f s (%.0f rows/s; %.2f s of CPU)\n",
                    r->summary.inserted, r->seconds,
                    static_cast<double>(r->summary.inserted) / r->seconds, r->cpu_seconds);
    }

    auto st = Storage::open(cfg);
    if (!st) return report(st.error());
    Storage& s = **st;

    // 2. Lookups: random subscribers, one thread, the read connection (as the loop does).
    {
        std::mt19937_64 rng(42);
        std::uniform_int_distribution<std::size_t> pick(0, o.subscribers - 1);
        std::size_t found = 0;
        auto t0 = std::chrono::steady_clock::now();
        double c0 = population::process_cpu_seconds();
        for (std::size_t i = 0; i < o.lookups; ++i) {
            auto r =
                s.find(Msisdn::from_number(375200000000 + static_cast<std::int64_t>(pick(rng))));
            if (r && *r) ++found;
        }
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double cpu = population::process_cpu_seconds() - c0;
        std::printf(
            "lookups:  %zu in %.2f s = %.0f lookups/s (1 thread; %zu found; %.2f s of CPU "
            "= %.0f lookups per CPU-second)\n",
            o.lookups, secs, static_cast<double>(o.lookups) / secs, found, cpu,
            static_cast<double>(o.lookups) / cpu);
    }

    // 3. Committed state changes: close / reopen access (each with its audit entry), many
    //    at once as concurrent dialogues would submit them; counted when acknowledged.
    {
        std::mutex mu;
        std::condition_variable cv;
        std::size_t in_flight = 0, done_count = 0, failed = 0;
        auto before = s.committer().stats();
        auto t0 = std::chrono::steady_clock::now();
        double c0 = population::process_cpu_seconds();
        for (std::size_t i = 0; i < o.changes; ++i) {
            {
                std::unique_lock lk(mu);
                cv.wait(lk, [&] { return in_flight < o.concurrency; });
                ++in_flight;
            }
            // Subscriber k is closed in round 2r and reopened in round 2r+1.
            std::size_t k = (i / 2) % o.subscribers;
            auto m = Msisdn::from_number(375200000000 + static_cast<std::int64_t>(k));
            auto done = [&](Status r) {
                std::lock_guard lk(mu);
                --in_flight;
                ++done_count;
                if (!r) ++failed;
                cv.notify_one();
            };
            if (i % 2 == 0)
                s.cabinet().close_own_access(m, Channel::ussd, done);
            else
                s.cabinet().operator_open(m, "bench", Channel::cli, done);
        }
        {
            std::unique_lock lk(mu);
            cv.wait(lk, [&] { return done_count == o.changes; });
        }
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double cpu = population::process_cpu_seconds() - c0;
        auto after = s.committer().stats();
        std::uint64_t batches = after.batches - before.batches;
        std::printf(
            "changes:  %zu committed in %.2f s = %.0f changes/s (%zu in flight, %llu "
            "transactions, %.1f changes per commit, %zu refused; %.2f s of CPU)\n",
            o.changes, secs, static_cast<double>(o.changes) / secs, o.concurrency,
            static_cast<unsigned long long>(batches),
            batches ? static_cast<double>(o.changes) / static_cast<double>(batches) : 0.0, failed,
            cpu);
    }
    st->reset();
    if (!o.keep) {
        fs::remove(dir / "bench.db", ec);
        fs::remove(dir / "bench.db-wal", ec);
        fs::remove(dir / "bench.db-shm", ec);
        fs::remove(dir / "bench.key", ec);
        if (o.dir.empty()) fs::remove_all(dir, ec);
    }
    return 0;
}

CLI::App* find_or_add(CLI::App& app, const std::string& name, const std::string& help) {
    for (auto* sub : app.get_subcommands({}))
        if (sub->get_name() == name) return sub;
    auto* c = app.add_subcommand(name, help);
    c->require_subcommand(1);
    return c;
}

}  // namespace

void register_storage_commands(CLI::App& app, CliContext& ctx) {
    auto load = [&ctx] { return config::load_engine_config(ctx.config_path).storage; };

    auto* subs = app.add_subcommand("subscribers", "provisioning: import and look up subscribers");
    subs->require_subcommand(1);
    auto file = std::make_shared<std::string>();
    auto partial = std::make_shared<bool>(false);
    auto* imp = subs->add_subcommand(
        "import", "upsert subscribers from a CSV file (see conf/demo-subscribers.csv)");
    imp->add_option("FILE", *file, "CSV file")->required();
    imp->add_flag("--partial", *partial, "write the good lines even when some lines are bad");
    imp->callback([&ctx, load, file, partial] {
        log::set_level(log::Level::warn);
        ctx.exit_code = run_import(load(), *file, *partial);
    });
    auto number = std::make_shared<std::string>();
    auto* show =
        subs->add_subcommand("show", "a subscriber's record and recent changes (no secrets)");
    show->add_option("MSISDN", *number, "international digits")->required();
    show->callback([&ctx, load, number] { ctx.exit_code = run_show(load(), *number); });

    auto* access = app.add_subcommand("access", "operator actions on cabinet access");
    access->require_subcommand(1);
    auto reason = std::make_shared<std::string>();
    auto staff = std::make_shared<std::string>(default_staff());
    auto* close = access->add_subcommand("close", "close cabinet access (audited, channel cli)");
    close->add_option("MSISDN", *number, "international digits")->required();
    close->add_option("--reason", *reason, "lost-sim, restriction or organisation")
        ->required()
        ->check(CLI::IsMember({"lost-sim", "restriction", "organisation"}));
    close->add_option("--staff", *staff, "who acts (for the audit log)")->capture_default_str();
    close->callback([&ctx, load, number, reason, staff] {
        log::set_level(log::Level::warn);
        ctx.exit_code = run_access(load(), true, *number, *reason, *staff);
    });
    auto* open = access->add_subcommand("open", "reopen cabinet access after any closing");
    open->add_option("MSISDN", *number, "international digits")->required();
    open->add_option("--staff", *staff, "who acts (for the audit log)")->capture_default_str();
    open->callback([&ctx, load, number, staff] {
        log::set_level(log::Level::warn);
        ctx.exit_code = run_access(load(), false, *number, "", *staff);
    });

    auto* bench = find_or_add(app, "bench", "benchmarks (bench smpp, bench storage)");
    auto opts = std::make_shared<StorageBenchOptions>();
    auto* bs = bench->add_subcommand(
        "storage", "subscriber lookups/s, committed changes/s (group commit), import time");
    bs->add_option("--subscribers", opts->subscribers, "subscribers to import")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
    bs->add_option("--lookups", opts->lookups, "random lookups to time")->capture_default_str();
    bs->add_option("--changes", opts->changes, "access changes to commit")->capture_default_str();
    bs->add_option("--concurrency", opts->concurrency, "changes in flight (concurrent dialogues)")
        ->capture_default_str()
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    bs->add_option("--dir", opts->dir, "directory for the bench database (default: a temp dir)");
    bs->add_flag("--keep", opts->keep, "keep the bench database");
    bs->callback([&ctx, load, opts] {
        log::set_level(log::Level::warn);
        ctx.exit_code = run_bench(load(), *opts);
    });
}

}  // namespace ussdgw::cli
