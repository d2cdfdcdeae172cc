// Instants as text: milliseconds since the Unix epoch written as RFC 3339 UTC to the second
// ("2026-11-20T10:15:00Z"), the form of the API's JSON and the CLI's listings.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

namespace ussdgw {

inline std::string utc_rfc3339(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace ussdgw
