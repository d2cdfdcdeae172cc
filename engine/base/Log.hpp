// Structured logging: one logfmt line per event, `ts=... level=info event=smpp.bind link=smsc1`.
// Values are quoted when needed. Thread-safe. Never pass secrets: `Secret` prints "***".
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ussdgw::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level& out);

// Low-level: write one line made of an event name and already-rendered key=value fields.
void write(Level level, std::string_view event, std::string_view fields);
// Where lines go (stderr by default; tests point it at a temporary file).
void set_output(std::FILE* out);

// Appends ` key=value` to out, quoting the value when it has spaces, quotes or '='.
void append_field(std::string& out, std::string_view key, std::string_view value);

namespace detail {
inline void add_fields(std::string&) {}
template <typename V, typename... Rest>
void add_fields(std::string& out, std::string_view key, const V& value, Rest&&... rest) {
    if constexpr (std::is_convertible_v<const V&, std::string_view>) {
        append_field(out, key, std::string_view(value));
    } else {
        append_field(out, key, fmt::format("{}", value));
    }
    add_fields(out, std::forward<Rest>(rest)...);
}
}  // namespace detail

// log::event(Level::info, "smpp.bound", "link", name, "peer", addr);
template <typename... KV>
void event(Level lvl, std::string_view name, KV&&... kv) {
    static_assert(sizeof...(KV) % 2 == 0, "log::event takes key, value pairs");
    if (lvl < level()) return;
    std::string fields;
    detail::add_fields(fields, std::forward<KV>(kv)...);
    write(lvl, name, fields);
}

template <typename... KV>
void debug(std::string_view name, KV&&... kv) {
    event(Level::debug, name, std::forward<KV>(kv)...);
}
template <typename... KV>
void info(std::string_view name, KV&&... kv) {
    event(Level::info, name, std::forward<KV>(kv)...);
}
template <typename... KV>
void warn(std::string_view name, KV&&... kv) {
    event(Level::warn, name, std::forward<KV>(kv)...);
}
template <typename... KV>
void error(std::string_view name, KV&&... kv) {
    event(Level::error, name, std::forward<KV>(kv)...);
}

// ---- rate-limited lines ----
// A flood of one event (refused connections, failed binds) must not flood the log. Lines are
// limited per event name: the first `burst` of each `interval` are written, the rest are only
// counted, and when the interval is over one summary line `event=NAME suppressed=K` reports
// them (written before the event's next line, or by flush()).

// The counting, sans-I/O: time is given by the caller.
class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RateLimiter(std::uint32_t burst = 10,
                         Clock::duration interval = std::chrono::minutes(1));

    struct Admission {
        bool write = false;            // write this line
        std::uint64_t suppressed = 0;  // lines of this event suppressed in its last interval:
                                       // report them first
    };
    Admission admit(std::string_view event, Level level, Clock::time_point now);

    struct Suppressed {
        std::string event;
        Level level = Level::info;
        std::uint64_t count = 0;
    };
    // The events whose interval is over with lines suppressed (their counts are then reset).
    std::vector<Suppressed> take_expired(Clock::time_point now);

  private:
    struct Window {
        Clock::time_point start;
        Level level = Level::info;
        std::uint32_t written = 0;
        std::uint64_t suppressed = 0;
    };
    std::uint32_t burst_;
    Clock::duration interval_;
    std::map<std::string, Window, std::less<>> windows_;
};

// Logging through a RateLimiter. Thread-safe.
class LimitedLog {
  public:
    explicit LimitedLog(std::uint32_t burst = 10,
                        RateLimiter::Clock::duration interval = std::chrono::minutes(1))
        : limiter_(burst, interval) {}

    template <typename... KV>
    void event(Level lvl, RateLimiter::Clock::time_point now, std::string_view name, KV&&... kv) {
        if (lvl < level()) return;
        RateLimiter::Admission a;
        {
            std::lock_guard lock(mutex_);
            a = limiter_.admit(name, lvl, now);
        }
        if (a.suppressed > 0) write_suppressed(lvl, name, a.suppressed);
        if (a.write) log::event(lvl, name, std::forward<KV>(kv)...);
    }
    // Writes the summary lines of the intervals that are over at `now` (time_point::max():
    // all of them).
    void flush(RateLimiter::Clock::time_point now);

  private:
    static void write_suppressed(Level lvl, std::string_view name, std::uint64_t count);
    std::mutex mutex_;
    RateLimiter limiter_;
};

// The process-wide LimitedLog: 10 lines per event name per minute.
LimitedLog& limited_log();

// log::limited(Level::warn, "smpp.bind_refused", "peer", ip, "reason", why);
template <typename... KV>
void limited(Level lvl, std::string_view name, KV&&... kv) {
    limited_log().event(lvl, RateLimiter::Clock::now(), name, std::forward<KV>(kv)...);
}
// Writes every pending summary line of the process-wide LimitedLog, interval over or not
// (at shutdown).
inline void flush_limited() {
    limited_log().flush(RateLimiter::Clock::time_point::max());
}

}  // namespace ussdgw::log
