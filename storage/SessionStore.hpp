// Cabinet sessions in the database (table web_sessions): opened by a login or a password
// reset, found by the hash of their token, touched as they are used, elevated by a step-up
// code, ended by logout, idle time, lifetime, or (by the schema's triggers) a password change
// or a closing of access. The token itself is never stored: a session token has 256 random
// bits, so its SHA-256 is enough to find it and useless to whoever reads the database. The
// same file holds the token helpers the API needs: new tokens, their hashes, and the CSRF
// token that belongs to a session token (a keyed hash of it, so nothing more is stored).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/Database.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

// "uss_" + 43 characters of base64url (256 random bits); `prefix` names the kind of token.
std::string new_token(std::string_view prefix);
// SHA-256 of the token (32 raw bytes): how sessions are stored and found.
std::string token_hash(std::string_view token);
// The same as 64 lower-case hex digits: how the operator's staff tokens are configured
// (`printf %s "$TOKEN" | sha256sum` gives it too).
std::string token_hash_hex(std::string_view token);
// The CSRF token of a session token: base64url of BLAKE2b-256 keyed with a fixed label.
std::string csrf_token_for(std::string_view session_token);
// Constant-time equality of two strings (sizes may leak, contents do not).
bool same_secret(std::string_view a, std::string_view b);

struct WebSession {
    std::int64_t id = 0;
    Msisdn msisdn = Msisdn::from_number(0);
    std::string method;  // "password", "puk", "code"
    std::int64_t created_at_ms = 0;
    std::int64_t expires_at_ms = 0;  // the absolute end
    std::int64_t last_seen_at_ms = 0;
    std::int64_t elevated_until_ms = 0;
    std::optional<std::int64_t> ended_at_ms;
    std::string end_reason;  // "logout", "idle", "lifetime", "password.changed", ...
};

struct NewSession {
    std::string token_hash;
    Msisdn msisdn = Msisdn::from_number(0);
    std::string method;
    std::string source;  // the client address, for the record
    std::int64_t now_ms = 0;
    std::int64_t lifetime_ms = 0;
    int max_live = 10;  // older live sessions of the subscriber beyond this end ("superseded")
};

class SessionStore {
  public:
    explicit SessionStore(Database& db) : db_(db) {}

    Result<std::optional<WebSession>> find(std::string_view token_hash);
    Result<std::optional<WebSession>> find_id(std::int64_t id);
    // The session's id.
    Result<std::int64_t> open(const NewSession& s);
    Status touch(std::int64_t id, std::int64_t seen_at_ms);
    // Ends a live session (false: it had already ended or does not exist).
    Result<bool> end(std::int64_t id, std::string_view reason, std::int64_t now_ms);
    Status elevate(std::int64_t id, std::int64_t until_ms);
    // Live sessions last seen before `seen_before_ms`, or past their absolute end.
    Result<std::vector<WebSession>> stale(std::int64_t seen_before_ms, std::int64_t now_ms,
                                          int limit);
    // Deletes sessions that ended before `ended_before_ms` (their requests keep their state).
    Result<int> purge(std::int64_t ended_before_ms);

  private:
    Database& db_;
};

}  // namespace ussdgw::storage
