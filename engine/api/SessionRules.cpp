#include "engine/api/SessionRules.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ussdgw::api {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

bool iequals_prefix(std::string_view s, std::string_view p) {
    if (s.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
    return true;
}
}  // namespace

Credentials read_credentials(const http::HttpRequest& req) {
    Credentials c;
    std::string_view auth = trim(req.header("Authorization"));
    if (!auth.empty()) {
        if (!iequals_prefix(auth, "bearer ")) return c;  // another scheme: no credentials
        std::string_view token = trim(auth.substr(7));
        if (token.empty()) return c;
        c.kind = starts_with(token, kStaffPrefix) ? Credentials::Kind::staff
                                                  : Credentials::Kind::session;
        c.token = std::string(token);
        return c;
    }
    std::string_view cookies = req.header("Cookie");
    while (!cookies.empty()) {
        auto semi = cookies.find(';');
        std::string_view pair = trim(cookies.substr(0, semi));
        cookies = semi == std::string_view::npos ? std::string_view{} : cookies.substr(semi + 1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != kSessionCookie) continue;
        std::string_view value = trim(pair.substr(eq + 1));
        if (value.empty()) continue;
        c.kind = Credentials::Kind::session;
        c.token = std::string(value);
        c.from_cookie = true;
        return c;
    }
    return c;
}

Verdict judge_session(const storage::WebSession& s, std::int64_t last_activity_ms,
                      std::int64_t now_ms, std::int64_t idle_ms) {
    if (s.ended_at_ms) return Verdict::ended;
    if (now_ms >= s.expires_at_ms) return Verdict::lifetime;
    if (now_ms - std::max(last_activity_ms, s.last_seen_at_ms) > idle_ms) return Verdict::idle;
    return Verdict::live;
}

bool needs_csrf(const http::HttpRequest& req, const Credentials& c) {
    if (!c.from_cookie) return false;
    auto m = req.method();
    return m != http::Verb::get && m != http::Verb::head && m != http::Verb::options;
}

bool csrf_ok(const http::HttpRequest& req, const Credentials& c) {
    std::string_view given = req.header("X-CSRF-Token");
    return !given.empty() && storage::same_secret(given, storage::csrf_token_for(c.token));
}

std::optional<std::string> staff_name(const std::vector<StaffToken>& staff,
                                      std::string_view token) {
    std::string hex = storage::token_hash_hex(token);
    std::optional<std::string> found;
    for (const auto& s : staff)  // every entry compared, in constant time each
        if (storage::same_secret(hex, s.sha256_hex) && !found) found = s.name;
    return found;
}

std::string session_cookie(std::string_view token, std::int64_t max_age_s, bool secure) {
    return fmt::format("{}={}; Path=/api/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                       token, std::max<std::int64_t>(0, max_age_s), secure ? "; Secure" : "");
}

std::string cleared_cookie(bool secure) {
    return fmt::format("{}=; Path=/api/; Max-Age=0; HttpOnly; SameSite=Strict{}", kSessionCookie,
                       secure ? "; Secure" : "");
}

std::string client_address(const http::HttpRequest& req, const std::vector<std::string>& trusted) {
    const std::string& peer = req.peer_address();
    if (std::find(trusted.begin(), trusted.end(), peer) == trusted.end()) return peer;
    std::string_view xff = req.header("X-Forwarded-For");
    if (xff.empty()) return peer;
    // The last hop the trusted proxy added.
    auto comma = xff.rfind(',');
    std::string_view last = trim(comma == std::string_view::npos ? xff : xff.substr(comma + 1));
    return last.empty() || last.size() > 64 ? peer : std::string(last);
}

}  // namespace ussdgw::api
