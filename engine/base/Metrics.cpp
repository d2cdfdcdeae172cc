#include "engine/base/Metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ussdgw::metrics {

namespace {

bool name_char(char c, bool first, bool colon) {
    bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(std::string_view name, bool colon) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, colon)) return false;
    return true;
}

// A sample value: integers exactly, other numbers in their shortest round-trip form.
void append_value(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
    } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
        fmt::format_to(std::back_inserter(out), "{}", static_cast<long long>(v));
    } else {
        fmt::format_to(std::back_inserter(out), "{}", v);
    }
}

// Label values escape backslash, double quote and newline; HELP text backslash and newline.
void append_escaped(std::string& out, std::string_view text, bool quote) {
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quote && c == '"')
            out += "\\\"";
        else
            out.push_back(c);
    }
}

void append_labels(std::string& out, const Labels& labels, std::string_view le = {}) {
    if (labels.empty() && le.empty()) return;
    out.push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) out.push_back(',');
        first = false;
        out += k;
        out += "=\"";
        append_escaped(out, v, true);
        out.push_back('"');
    }
    if (!le.empty()) {
        if (!first) out.push_back(',');
        out += "le=\"";
        out += le;
        out.push_back('"');
    }
    out.push_back('}');
}

bool valid_labels(const Labels& labels) {
    for (const auto& [k, v] : labels)
        if (!valid_label_name(k) || k.starts_with("__") || k == "le") return false;
    return true;
}

const char* type_name(Type t) {
    switch (t) {
        case Type::counter:
            return "counter";
        case Type::gauge:
            return "gauge";
        case Type::histogram:
            return "histogram";
    }
    return "untyped";
}

}  // namespace

bool valid_metric_name(std::string_view name) {
    return valid_name(name, true);
}
bool valid_label_name(std::string_view name) {
    return valid_name(name, false);
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
    std::sort(bounds_.begin(), bounds_.end());
    bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
    bounds_.erase(
        std::remove_if(bounds_.begin(), bounds_.end(), [](double b) { return !std::isfinite(b); }),
        bounds_.end());
    counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double value) noexcept {
    // The first bucket whose upper bound is >= value ("le"); NaN lands in +Inf.
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
    std::size_t i =
        std::isnan(value) ? bounds_.size() : static_cast<std::size_t>(it - bounds_.begin());
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.bounds = bounds_;
    s.cumulative.resize(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

const std::vector<double>& latency_buckets() {
    static const std::vector<double> b{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25,   0.5,   1,      2.5,   5,    10,    30};
    return b;
}

const std::vector<double>& size_buckets() {
    static const std::vector<double> b{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    return b;
}

Exposition::Family* Exposition::family(std::string_view name, std::string_view help, Type type,
                                       const Labels& labels) {
    std::string full = prefix_ + std::string(name);
    if (!valid_metric_name(full) || !valid_labels(labels)) {
        ++dropped_;
        return nullptr;
    }
    auto it = index_.find(full);
    if (it != index_.end()) {
        Family& f = families_[it->second];
        if (f.type != type) {
            ++dropped_;
            return nullptr;
        }
        return &f;
    }
    index_.emplace(full, families_.size());
    families_.push_back(Family{std::move(full), std::string(help), type, {}});
    return &families_.back();
}

void Exposition::counter(std::string_view name, std::string_view help, const Labels& labels,
                         double value) {
    if (Family* f = family(name, help, Type::counter, labels)) append_sample(*f, labels, value);
}

void Exposition::gauge(std::string_view name, std::string_view help, const Labels& labels,
                       double value) {
    if (Family* f = family(name, help, Type::gauge, labels)) append_sample(*f, labels, value);
}

void Exposition::append_sample(Family& f, const Labels& labels, double value) {
    f.samples += f.name;
    append_labels(f.samples, labels);
    f.samples.push_back(' ');
    append_value(f.samples, value);
    f.samples.push_back('\n');
}

void Exposition::histogram(std::string_view name, std::string_view help, const Labels& labels,
                           const Histogram::Snapshot& s) {
    Family* f = family(name, help, Type::histogram, labels);
    if (!f) return;
    std::string& out = f->samples;
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
        std::string le;
        if (i < s.bounds.size())
            append_value(le, s.bounds[i]);
        else
            le = "+Inf";
        out += f->name;
        out += "_bucket";
        append_labels(out, labels, le);
        out.push_back(' ');
        append_value(out, static_cast<double>(s.cumulative[i]));
        out.push_back('\n');
    }
    out += f->name;
    out += "_sum";
    append_labels(out, labels);
    out.push_back(' ');
    append_value(out, s.sum);
    out.push_back('\n');
    out += f->name;
    out += "_count";
    append_labels(out, labels);
    out.push_back(' ');
    append_value(out, static_cast<double>(s.count()));
    out.push_back('\n');
}

std::string Exposition::text() const {
    std::string out;
    for (const auto& f : families_) {
        out += "# HELP ";
        out += f.name;
        out.push_back(' ');
        append_escaped(out, f.help, false);
        out += "\n# TYPE ";
        out += f.name;
        out.push_back(' ');
        out += type_name(f.type);
        out.push_back('\n');
        out += f.samples;
    }
    return out;
}

Registry::Owned& Registry::find_or_add(std::string_view name, std::string_view help, Type type,
                                       const Labels& labels, const std::vector<double>* bounds) {
    if (!valid_metric_name(prefix_ + std::string(name)) || !valid_labels(labels))
        throw std::logic_error(fmt::format("metrics: invalid name or labels for '{}'", name));
    std::string key(name);
    for (const auto& [k, v] : labels) {
        key.push_back('\0');
        key += k;
        key.push_back('\0');
        key += v;
    }
    std::lock_guard lk(mu_);
    if (auto it = by_key_.find(key); it != by_key_.end()) {
        if (it->second->type != type)
            throw std::logic_error(fmt::format("metrics: '{}' registered with another type", name));
        return *it->second;
    }
    for (const auto& o : owned_)
        if (o->name == name && o->type != type)
            throw std::logic_error(fmt::format("metrics: '{}' registered with another type", name));
    auto o = std::make_unique<Owned>();
    o->name = std::string(name);
    o->help = std::string(help);
    o->type = type;
    o->labels = labels;
    if (type == Type::counter) o->counter = std::make_unique<Counter>();
    if (type == Type::gauge) o->gauge = std::make_unique<Gauge>();
    if (type == Type::histogram) o->histogram = std::make_unique<Histogram>(*bounds);
    Owned& ref = *o;
    owned_.push_back(std::move(o));
    by_key_.emplace(std::move(key), &ref);
    return ref;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    return *find_or_add(name, help, Type::counter, labels, nullptr).counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    return *find_or_add(name, help, Type::gauge, labels, nullptr).gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               const std::vector<double>& bounds, const Labels& labels) {
    return *find_or_add(name, help, Type::histogram, labels, &bounds).histogram;
}

void Registry::add_collector(Collector collector) {
    std::lock_guard lk(mu_);
    collectors_.push_back(std::move(collector));
}

std::string Registry::render() const {
    Exposition out(prefix_);
    std::vector<Collector> collectors;
    {
        std::lock_guard lk(mu_);
        for (const auto& o : owned_) {
            switch (o->type) {
                case Type::counter:
                    out.counter(o->name, o->help, o->labels,
                                static_cast<double>(o->counter->value()));
                    break;
                case Type::gauge:
                    out.gauge(o->name, o->help, o->labels, o->gauge->value());
                    break;
                case Type::histogram:
                    out.histogram(o->name, o->help, o->labels, o->histogram->snapshot());
                    break;
            }
        }
        collectors = collectors_;
    }
    for (const auto& c : collectors)
        c(out);
    return out.text();
}

}  // namespace ussdgw::metrics
