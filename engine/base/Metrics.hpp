// Metrics: counters, gauges and fixed-bucket histograms, and their rendering in the
// Prometheus text exposition format (version 0.0.4).
//
// The value types are plain atomics, safe to update from any thread (the storage writer,
// the hash workers, the event loop) and cheap enough for hot paths. Layers keep them as
// members next to their other stats (smpp/, storage/ and menus/ include only engine/base),
// and the engine reads them when it is scraped: a `Registry` owns labelled metrics of its
// own (`counter`, `gauge`, `histogram`) and runs `Collector` callbacks that add samples
// read from the layers to an `Exposition`. There is no global registry; the Engine owns one.
//
//   metrics::Registry registry("ussdgw_");
//   auto& served = registry.counter("http_requests_total", "HTTP requests answered.",
//                                   {{"route", "/healthz"}, {"status", "200"}});
//   served.inc();
//   registry.add_collector([&](metrics::Exposition& out) {
//       out.gauge("smpp_link_bound", "1 while the link is bound.", {{"link", "ussdc"}}, 1);
//   });
//   std::string text = registry.render();   // HELP/TYPE lines, samples grouped by family
//
// Naming follows the Prometheus conventions: counters end in `_total`, durations are
// `_seconds` histograms; a name is [a-zA-Z_:][a-zA-Z0-9_:]*, a label name
// [a-zA-Z_][a-zA-Z0-9_]*. Label values may hold anything: they are escaped on output.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ussdgw::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

class Counter {
  public:
    void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::uint64_t> v_{0};
};

class Gauge {
  public:
    void set(double v) noexcept { v_.store(v, std::memory_order_relaxed); }
    void add(double d) noexcept { v_.fetch_add(d, std::memory_order_relaxed); }
    double value() const noexcept { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> v_{0};
};

// A histogram with fixed upper bounds (sorted, finite; the +Inf bucket is implicit).
class Histogram {
  public:
    struct Snapshot {
        std::vector<double> bounds;
        std::vector<std::uint64_t> cumulative;  // bounds.size() + 1 entries; the last is +Inf
        double sum = 0;
        std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
    };

    explicit Histogram(std::vector<double> upper_bounds);
    Histogram(const Histogram&) = delete;
    Histogram& operator=(const Histogram&) = delete;

    void observe(double value) noexcept;
    // Counts read one by one: under concurrent updates `sum` may lag the buckets by the
    // observations in progress, but the +Inf bucket always equals the count.
    Snapshot snapshot() const;
    const std::vector<double>& bounds() const { return bounds_; }

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, not cumulative
    std::atomic<double> sum_{0};
};

// Bucket sets used across the engine.
// Latencies from 0.5 ms to 30 s (USSD steps, HTTP requests, storage commits).
const std::vector<double>& latency_buckets();
// Sizes 1, 2, 4, ... 4096 (group-commit batches).
const std::vector<double>& size_buckets();

enum class Type { counter, gauge, histogram };

// One scrape being assembled: samples are grouped by family (in the order families first
// appear), each family with one HELP and one TYPE line. Adding a sample of a family under
// another type than it was first seen with, or with an invalid name, is a programming
// error: the sample is dropped and counted in `dropped()`.
class Exposition {
  public:
    explicit Exposition(std::string prefix = {}) : prefix_(std::move(prefix)) {}

    void counter(std::string_view name, std::string_view help, const Labels& labels, double value);
    void gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
    void histogram(std::string_view name, std::string_view help, const Labels& labels,
                   const Histogram::Snapshot& snapshot);

    std::string text() const;
    std::size_t dropped() const { return dropped_; }

  private:
    struct Family {
        std::string name;
        std::string help;
        Type type;
        std::string samples;
    };
    Family* family(std::string_view name, std::string_view help, Type type, const Labels& labels);
    static void append_sample(Family& f, const Labels& labels, double value);

    std::string prefix_;
    std::vector<Family> families_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::size_t dropped_ = 0;
};

// The content type of the text format, for the HTTP answer.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

class Registry {
  public:
    using Collector = std::function<void(Exposition&)>;

    // `prefix` goes before every metric name ("ussdgw_").
    explicit Registry(std::string prefix = {}) : prefix_(std::move(prefix)) {}
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The metric of this name and labels, created on first use; the reference stays valid
    // as long as the registry. Thread-safe; cache the reference on hot paths.
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help,
                         const std::vector<double>& bounds, const Labels& labels = {});

    // Runs at every render, in the order added, after the registry's own metrics.
    void add_collector(Collector collector);

    // The text exposition of everything. Collectors run on the calling thread.
    std::string render() const;

  private:
    struct Owned {
        std::string name;
        std::string help;
        Type type;
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Gauge> gauge;
        std::unique_ptr<Histogram> histogram;
    };
    Owned& find_or_add(std::string_view name, std::string_view help, Type type,
                       const Labels& labels, const std::vector<double>* bounds);

    std::string prefix_;
    mutable std::mutex mu_;
    std::vector<std::unique_ptr<Owned>> owned_;
    std::map<std::string, Owned*, std::less<>> by_key_;
    std::vector<Collector> collectors_;
};

}  // namespace ussdgw::metrics
