#include "storage/SessionStore.hpp"

#include <sodium.h>

#include <cstdlib>

namespace ussdgw::storage {

namespace {

std::string base64url(const unsigned char* p, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

constexpr const char* kSessionColumns =
    "id, msisdn, method, created_at, expires_at, last_seen_at, elevated_until, ended_at, "
    "end_reason";

WebSession read_session(const Query& q) {
    WebSession s;
    s.id = q.int64(0);
    s.msisdn = Msisdn::from_number(q.int64(1));
    s.method = q.text(2);
    s.created_at_ms = q.int64(3);
    s.expires_at_ms = q.int64(4);
    s.last_seen_at_ms = q.int64(5);
    s.elevated_until_ms = q.int64(6);
    if (!q.is_null(7)) s.ended_at_ms = q.int64(7);
    s.end_reason = q.text(8);
    return s;
}

Result<std::optional<WebSession>> one(Result<Query> q) {
    if (!q) return Failure{q.error()};
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row) return std::optional<WebSession>();
    return std::optional<WebSession>(read_session(*q));
}

}  // namespace

std::string new_token(std::string_view prefix) {
    if (sodium_init() < 0) std::abort();  // no usable random source
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    std::string out = std::string(prefix) + base64url(raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return out;
}

std::string token_hash(std::string_view token) {
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(token.data()), token.size());
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string token_hash_hex(std::string_view token) {
    std::string raw = token_hash(token);
    std::string hex(raw.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                   raw.size());
    hex.pop_back();
    return hex;
}

std::string csrf_token_for(std::string_view session_token) {
    static const unsigned char kLabel[] = "ussdgw session csrf token v1";
    unsigned char out[32];
    crypto_generichash(out, sizeof out,
                       reinterpret_cast<const unsigned char*>(session_token.data()),
                       session_token.size(), kLabel, sizeof kLabel - 1);
    return base64url(out, sizeof out);
}

bool same_secret(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::optional<WebSession>> SessionStore::find(std::string_view hash) {
    auto q = db_.query(std::string("SELECT ") + kSessionColumns +
                       " FROM web_sessions WHERE token_hash = ?");
    if (q) q->bind_blob(1, hash.data(), hash.size());
    return one(std::move(q));
}

Result<std::optional<WebSession>> SessionStore::find_id(std::int64_t id) {
    auto q =
        db_.query(std::string("SELECT ") + kSessionColumns + " FROM web_sessions WHERE id = ?");
    if (q) q->bind(1, id);
    return one(std::move(q));
}

Result<std::int64_t> SessionStore::open(const NewSession& s) {
    auto q = db_.query(
        "INSERT INTO web_sessions (token_hash, msisdn, method, source, created_at, expires_at, "
        "last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5)");
    if (!q) return Failure{q.error()};
    q->bind_blob(1, s.token_hash.data(), s.token_hash.size())
        .bind(2, s.msisdn.number())
        .bind(3, s.method)
        .bind(4, s.source)
        .bind(5, s.now_ms)
        .bind(6, s.now_ms + s.lifetime_ms);
    if (auto st = q->run(); !st) return Failure{st.error()};
    std::int64_t id = db_.last_insert_rowid();
    // The oldest live sessions beyond the limit end (a forgotten browser somewhere).
    auto old = db_.query(
        "UPDATE web_sessions SET ended_at = ?3, end_reason = 'superseded' WHERE id IN ("
        "SELECT id FROM web_sessions WHERE msisdn = ?1 AND ended_at IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?2)");
    if (!old) return Failure{old.error()};
    old->bind(1, s.msisdn.number()).bind(2, s.max_live).bind(3, s.now_ms);
    if (auto st = old->run(); !st) return Failure{st.error()};
    return id;
}

Status SessionStore::touch(std::int64_t id, std::int64_t seen_at_ms) {
    auto q = db_.query(
        "UPDATE web_sessions SET last_seen_at = max(last_seen_at, ?2) WHERE id = ?1 AND "
        "ended_at IS NULL");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, seen_at_ms);
    return q->run();
}

Result<bool> SessionStore::end(std::int64_t id, std::string_view reason, std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE web_sessions SET ended_at = ?2, end_reason = ?3 WHERE id = ?1 AND ended_at IS "
        "NULL");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, now_ms).bind(3, reason);
    if (auto st = q->run(); !st) return Failure{st.error()};
    return db_.changes() > 0;
}

Status SessionStore::elevate(std::int64_t id, std::int64_t until_ms) {
    auto q = db_.query("UPDATE web_sessions SET elevated_until = ?2 WHERE id = ?1");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, until_ms);
    return q->run();
}

Result<std::vector<WebSession>> SessionStore::stale(std::int64_t seen_before_ms,
                                                    std::int64_t now_ms, int limit) {
    auto q = db_.query(std::string("SELECT ") + kSessionColumns +
                       " FROM web_sessions WHERE ended_at IS NULL AND (last_seen_at < ?1 OR "
                       "expires_at <= ?2) LIMIT ?3");
    if (!q) return Failure{q.error()};
    q->bind(1, seen_before_ms).bind(2, now_ms).bind(3, limit);
    std::vector<WebSession> out;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        out.push_back(read_session(*q));
    }
    return out;
}

Result<int> SessionStore::purge(std::int64_t ended_before_ms) {
    auto q = db_.query("DELETE FROM web_sessions WHERE ended_at < ?");
    if (!q) return Failure{q.error()};
    q->bind(1, ended_before_ms);
    if (auto st = q->run(); !st) return Failure{st.error()};
    return db_.changes();
}

}  // namespace ussdgw::storage
