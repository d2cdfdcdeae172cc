#include "engine/cli/BenchPopulation.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>

#include "storage/Storage.hpp"

namespace ussdgw::cli::population {

namespace fs = std::filesystem;

std::string msisdn(std::size_t i) {
    return std::to_string(kFirstMsisdn + static_cast<std::int64_t>(i));
}

std::string puk1(std::size_t i) {
    return fmt::format("{:08}", (i * 7919) % 100000000);
}

std::int64_t index_of(std::string_view text, std::size_t size) {
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec != std::errc{} || end != text.data() + text.size()) return -1;
    const std::int64_t i = number - kFirstMsisdn;
    return i >= 0 && i < static_cast<std::int64_t>(size) ? i : -1;
}

std::string csv_line(std::size_t i, const std::vector<std::string>& plans) {
    const std::size_t client = i / 10;
    const bool legal = client % 4 == 0;
    const char* role = !legal ? "subscriber" : (i % 10 == 0 ? "administrator" : "subscriber");
    const std::string& plan = plans[i % plans.size()];
    return fmt::format("{},C{},{},{},{},{},no,active,prepaid,{}.{:02}\n", msisdn(i), client,
                       legal ? "legal_entity" : "individual", role, plan, puk1(i), i % 100,
                       i % 100);
}

double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Result<Imported> import(const storage::StorageConfig& given, std::size_t n,
                        const fs::path& work_dir) {
    storage::StorageConfig cfg = given;
    if (cfg.tariff_plans.empty()) cfg.tariff_plans = {"Комфорт"};
    const fs::path csv = work_dir / "population.csv";
    {
        std::ofstream out(csv, std::ios::binary);
        out << "msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,"
               "payment,balance\n";
        for (std::size_t i = 0; i < n; ++i)
            out << csv_line(i, cfg.tariff_plans);
        if (!out) return fail("bench.csv", "cannot write " + csv.string());
    }
    auto d = storage::open_keyed_database(cfg);
    if (!d) return Failure{d.error()};
    std::ifstream in(csv, std::ios::binary);
    Imported result;
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    auto r = storage::import_subscribers(*d->db, d->key, cfg, in, {}, storage::system_clock_ms());
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.cpu_seconds = process_cpu_seconds() - c0;
    std::error_code ec;
    fs::remove(csv, ec);
    if (!r) return Failure{r.error()};
    if (r->rejected)
        return fail("bench.import",
                    fmt::format("{} rows rejected: {}", r->rejected, r->errors.front().message));
    result.summary = std::move(*r);
    return result;
}

Result<storage::StorageConfig> cached_database(storage::StorageConfig cfg, std::size_t n,
                                               const fs::path& cache_dir) {
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    cfg.database_path = (cache_dir / "subscribers.db").string();
    cfg.key_file = (cache_dir / "storage.key").string();
    const fs::path ready = cache_dir / "ready";  // written last: a half-made cache is redone
    if (fs::exists(ready)) return cfg;
    for (const char* f :
         {"subscribers.db", "subscribers.db-wal", "subscribers.db-shm", "storage.key"})
        fs::remove(cache_dir / f, ec);
    std::printf("bench: creating a database of %zu subscribers in %s (once; cached)\n", n,
                cache_dir.c_str());
    std::fflush(stdout);
    auto r = import(cfg, n, cache_dir);
    if (!r) return Failure{r.error()};
    std::printf("bench: imported %zu subscribers in %.1f s\n", r->summary.inserted, r->seconds);
    std::ofstream(ready) << n << "\n";
    return cfg;
}

}  // namespace ussdgw::cli::population
