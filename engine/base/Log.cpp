#include "engine/base/Log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ussdgw::log {
namespace {
std::atomic<Level> g_level{Level::info};
std::atomic<std::FILE*> g_out{nullptr};  // nullptr: stderr
std::mutex g_mutex;

const char* level_name(Level l) {
    switch (l) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
        case Level::off:
            return "off";
    }
    return "?";
}
}  // namespace

void set_level(Level l) {
    g_level.store(l);
}
Level level() {
    return g_level.load(std::memory_order_relaxed);
}

bool parse_level(std::string_view text, Level& out) {
    for (Level l : {Level::debug, Level::info, Level::warn, Level::error, Level::off}) {
        if (text == level_name(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
    out.push_back(' ');
    out.append(key);
    out.push_back('=');
    bool quote = value.empty();
    for (char c : value) {
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out.append(value);
        return;
    }
    out.push_back('"');
    for (char c : value) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out.append("\\n");
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out.append(fmt::format("\\x{:02x}", static_cast<unsigned char>(c)));
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

void write(Level lvl, std::string_view event, std::string_view fields) {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto secs = system_clock::to_time_t(now);
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::string line =
        fmt::format("ts={:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z level={} event={}{}\n",
                    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                    ms, level_name(lvl), event, fields);
    std::FILE* out = g_out.load(std::memory_order_relaxed);
    std::lock_guard lock(g_mutex);
    std::fwrite(line.data(), 1, line.size(), out ? out : stderr);
}

void set_output(std::FILE* out) {
    std::lock_guard lock(g_mutex);
    if (auto* old = g_out.load()) std::fflush(old);
    g_out.store(out);
}

// ---- rate-limited lines ----

RateLimiter::RateLimiter(std::uint32_t burst, Clock::duration interval)
    : burst_(burst), interval_(interval) {}

RateLimiter::Admission RateLimiter::admit(std::string_view event, Level lvl,
                                          Clock::time_point now) {
    auto it = windows_.find(event);
    if (it == windows_.end()) it = windows_.emplace(std::string(event), Window{now, lvl}).first;
    Window& w = it->second;
    Admission a;
    if (now - w.start >= interval_) {
        a.suppressed = w.suppressed;
        w = Window{now, lvl};
    }
    if (w.written < burst_) {
        ++w.written;
        a.write = true;
    } else {
        ++w.suppressed;
    }
    return a;
}

std::vector<RateLimiter::Suppressed> RateLimiter::take_expired(Clock::time_point now) {
    std::vector<Suppressed> out;
    for (auto it = windows_.begin(); it != windows_.end();) {
        if (now - it->second.start < interval_) {
            ++it;
            continue;
        }
        if (it->second.suppressed > 0)
            out.push_back(Suppressed{it->first, it->second.level, it->second.suppressed});
        it = windows_.erase(it);  // the event starts afresh
    }
    return out;
}

void LimitedLog::flush(RateLimiter::Clock::time_point now) {
    std::vector<RateLimiter::Suppressed> expired;
    {
        std::lock_guard lock(mutex_);
        expired = limiter_.take_expired(now);
    }
    for (const auto& s : expired)
        write_suppressed(s.level, s.event, s.count);
}

void LimitedLog::write_suppressed(Level lvl, std::string_view name, std::uint64_t count) {
    log::event(lvl, name, "suppressed", count);
}

LimitedLog& limited_log() {
    static LimitedLog instance;
    return instance;
}

}  // namespace ussdgw::log
