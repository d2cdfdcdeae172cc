// Who is calling: credentials, the session verdict, CSRF, staff tokens, cookies, addresses.
#include "engine/api/SessionRules.hpp"

#include <doctest/doctest.h>

namespace session_rules_test {

using namespace ussdgw;
using namespace ussdgw::api;

namespace {
http::HttpRequest request(http::Verb verb, std::vector<std::pair<std::string, std::string>> headers,
                          std::string peer = "127.0.0.1") {
    http::Request m{verb, "/api/v1/me", 11};
    for (auto& [k, v] : headers)
        m.set(k, v);
    return http::HttpRequest(std::move(m), peer, 1, "main");
}
}  // namespace

TEST_CASE("credentials come from Authorization first, then the session cookie") {
    auto c = read_credentials(request(http::Verb::get, {{"Authorization", "Bearer uss_abc"}}));
    CHECK(c.kind == Credentials::Kind::session);
    CHECK(c.token == "uss_abc");
    CHECK(!c.from_cookie);
    c = read_credentials(request(http::Verb::get, {{"Authorization", "bearer  ops_xyz "}}));
    CHECK(c.kind == Credentials::Kind::staff);
    CHECK(c.token == "ops_xyz");
    c = read_credentials(request(http::Verb::get, {{"Cookie", "a=1; ussdgw_session=uss_c; b=2"}}));
    CHECK(c.kind == Credentials::Kind::session);
    CHECK(c.from_cookie);
    CHECK(c.token == "uss_c");
    c = read_credentials(request(http::Verb::get, {{"Authorization", "Basic dXNlcjpwdw=="},
                                                   {"Cookie", "ussdgw_session=uss_c"}}));
    CHECK(c.kind == Credentials::Kind::none);  // another scheme: no credentials at all
    c = read_credentials(
        request(http::Verb::get, {{"Cookie", "ussdgw_sessionx=1; ussdgw_session="}}));
    CHECK(c.kind == Credentials::Kind::none);
}

TEST_CASE("a session is live until idle, past its lifetime, or ended") {
    storage::WebSession s;
    s.created_at_ms = 1000;
    s.expires_at_ms = 100'000;
    s.last_seen_at_ms = 1000;
    CHECK(judge_session(s, 0, 5000, 5000) == Verdict::live);
    CHECK(judge_session(s, 0, 6001, 5000) == Verdict::idle);
    CHECK(judge_session(s, 4000, 8000, 5000) == Verdict::live);  // activity seen in memory
    CHECK(judge_session(s, 99'000, 100'000, 5000) == Verdict::lifetime);
    s.ended_at_ms = 2000;
    CHECK(judge_session(s, 0, 2001, 5000) == Verdict::ended);
}

TEST_CASE("cookie changes need the session's CSRF token; Bearer ones do not") {
    std::string token = "uss_token";
    std::string csrf = storage::csrf_token_for(token);
    CHECK(csrf != token);
    CHECK(csrf.find(token) == std::string::npos);
    Credentials cookie{Credentials::Kind::session, token, true};
    Credentials bearer{Credentials::Kind::session, token, false};
    auto get = request(http::Verb::get, {});
    auto post = request(http::Verb::post, {{"X-CSRF-Token", csrf}});
    auto forged =
        request(http::Verb::post, {{"X-CSRF-Token", storage::csrf_token_for("uss_other")}});
    CHECK(!needs_csrf(get, cookie));
    CHECK(needs_csrf(post, cookie));
    CHECK(!needs_csrf(post, bearer));
    CHECK(csrf_ok(post, cookie));
    CHECK(!csrf_ok(forged, cookie));
    CHECK(!csrf_ok(request(http::Verb::post, {}), cookie));
}

TEST_CASE("staff tokens are found by their SHA-256") {
    std::string t = storage::new_token("ops_");
    CHECK(t.size() == 4 + 43);
    std::vector<StaffToken> staff = {{"anna", storage::token_hash_hex("ops_other")},
                                     {"boris", storage::token_hash_hex(t)}};
    CHECK(staff_name(staff, t) == std::optional<std::string>("boris"));
    CHECK(!staff_name(staff, t + "x"));
    CHECK(!staff_name({}, t));
    // printf %s ops_abc | sha256sum
    CHECK(storage::token_hash_hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("the session cookie and the client address") {
    auto c = session_cookie("uss_t", 60, true);
    CHECK(c == "ussdgw_session=uss_t; Path=/api/; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
    CHECK(cleared_cookie(false).find("Max-Age=0") != std::string::npos);
    auto r = request(http::Verb::get, {{"X-Forwarded-For", "10.1.1.1, 192.0.2.7"}}, "127.0.0.1");
    CHECK(client_address(r, {}) == "127.0.0.1");
    CHECK(client_address(r, {"127.0.0.1"}) == "192.0.2.7");
    CHECK(client_address(request(http::Verb::get, {}, "::1"), {"::1"}) == "::1");
}

}  // namespace session_rules_test
