// Structured logging: one logfmt line per event, `ts=... level=info event=smpp.bind link=smsc1`.
// Values are quoted when needed. Thread-safe. Never pass secrets: `Secret` prints "***".
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace ussdgw::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

void set_level(Level level);
Level level();
bool parse_level(std::string_view text, Level& out);

// Low-level: write one line made of an event name and already-rendered key=value fields.
void write(Level level, std::string_view event, std::string_view fields);

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

}  // namespace ussdgw::log
