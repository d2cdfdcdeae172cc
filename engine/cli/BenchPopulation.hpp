// The benchmarks' subscriber population, one owner of its facts: subscriber i (0-based) is
// MSISDN 375200000000 + i with PUK1 (i * 7919) mod 10^8; clients of 10 numbers, every 4th
// client a legal entity with an administrator first; all active and prepaid. `bench storage`
// imports it to time the import; `bench ussd` dials as these subscribers (it knows their
// PUK1 from the same formula) against a database created once and cached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/base/Result.hpp"
#include "storage/StorageConfig.hpp"
#include "storage/SubscriberImport.hpp"

namespace ussdgw::cli::population {

inline constexpr std::int64_t kFirstMsisdn = 375200000000;

std::string msisdn(std::size_t i);
std::string puk1(std::size_t i);
// The subscriber index of an MSISDN of the population, or -1.
std::int64_t index_of(std::string_view msisdn, std::size_t size);
// One CSV line (storage/SubscriberImport.hpp columns), newline included.
std::string csv_line(std::size_t i, const std::vector<std::string>& tariff_plans);

struct Imported {
    storage::ImportSummary summary;
    double seconds = 0, cpu_seconds = 0;
};

// Writes `n` subscribers to a CSV file in `work_dir` and imports it into cfg's database
// (created when missing) in one transaction; the CSV file is removed afterwards.
Result<Imported> import(const storage::StorageConfig& cfg, std::size_t n,
                        const std::filesystem::path& work_dir);

// A database of `n` subscribers in `cache_dir` (subscribers.db and its storage.key), created
// on first use and reused afterwards; `cfg` gives the tariff plans. Returns the paths in a
// copy of `cfg`. Progress goes to stdout (an import of 1,000,000 takes a while).
Result<storage::StorageConfig> cached_database(storage::StorageConfig cfg, std::size_t n,
                                               const std::filesystem::path& cache_dir);

// CPU seconds used by this process (all threads).
double process_cpu_seconds();

}  // namespace ussdgw::cli::population
