// Who is calling, with no socket: the credentials of a request (a subscriber session token
// from `Authorization: Bearer uss_...` or the `ussdgw_session` cookie; an operator token
// `Bearer ops_...`), the session verdict (live, or ended by idle time, lifetime or an end
// recorded in storage), the CSRF rule for cookie sessions, the staff token lookup (SHA-256,
// compared in constant time), the session cookie, and the client's address (the peer, or
// X-Forwarded-For when the peer is a trusted proxy).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api/ApiConfig.hpp"
#include "engine/http/HttpMessage.hpp"
#include "storage/SessionStore.hpp"

namespace ussdgw::api {

inline constexpr std::string_view kSessionCookie = "ussdgw_session";
inline constexpr std::string_view kSessionPrefix = "uss_";
inline constexpr std::string_view kStaffPrefix = "ops_";

struct Credentials {
    enum class Kind { none, session, staff } kind = Kind::none;
    std::string token;
    bool from_cookie = false;
};
// Authorization wins over the cookie. A Bearer token that is neither kind is a session token
// that will not be found (auth.required).
Credentials read_credentials(const http::HttpRequest& req);

enum class Verdict { live, idle, lifetime, ended };
// `last_activity_ms`: the latest of the stored last_seen_at and what this process saw.
Verdict judge_session(const storage::WebSession& s, std::int64_t last_activity_ms,
                      std::int64_t now_ms, std::int64_t idle_ms);

// Changes (POST, PUT, DELETE) on a cookie session need X-CSRF-Token; Bearer sessions do not.
bool needs_csrf(const http::HttpRequest& req, const Credentials& c);
bool csrf_ok(const http::HttpRequest& req, const Credentials& c);

// The staff member a token belongs to.
std::optional<std::string> staff_name(const std::vector<StaffToken>& staff, std::string_view token);

// Set-Cookie values: the session (HttpOnly, SameSite=Strict, Path=/api/, Max-Age, Secure
// when configured) and its removal.
std::string session_cookie(std::string_view token, std::int64_t max_age_s, bool secure);
std::string cleared_cookie(bool secure);

std::string client_address(const http::HttpRequest& req, const std::vector<std::string>& trusted);

}  // namespace ussdgw::api
