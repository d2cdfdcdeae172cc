#include "engine/config/UssdHttpSection.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "engine/config/ConfigTestSupport.hpp"

namespace ussd_http_section_test {

using namespace std::chrono_literals;
using ussdgw::test::config_error_of;
using ussdgw::test::parse_config;

namespace {
// sha256("correct horse battery staple")
constexpr const char* kDigest =
    "sha256:c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a";
}  // namespace

TEST_CASE("ussd.http: none by default; an address account with defaults") {
    CHECK(parse_config("").ussd_http.empty());
    auto c = parse_config(R"([ussd]
[[ussd.http]]
name = "local"
allowed_addresses = ["127.0.0.1", "::1"]
)");
    REQUIRE(c.ussd_http.size() == 1);
    const auto& a = c.ussd_http[0];
    CHECK(a.name == "local");
    CHECK(a.path == "/ussd");
    CHECK(a.allowed_addresses == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(a.user.empty());
    CHECK(a.limits.step_deadline == 9s);
    CHECK(a.limits.idle_timeout == 180s);
    CHECK(a.limits.repeat_window == 30s);
    CHECK(a.limits.max_sessions == 100000);
}

TEST_CASE("ussd.http: credentials by digest or by file, every key") {
    auto c = parse_config(std::string(R"([ussd]
[[ussd.http]]
name = "agg"
path = "/aggregator/ussd"
user = "agg"
password_hash = ")") + kDigest +
                          R"("
step_deadline = "5s"
idle_timeout = "60s"
repeat_window = "10s"
max_sessions = 10
)");
    const auto& a = c.ussd_http.at(0);
    CHECK(a.path == "/aggregator/ussd");
    CHECK(a.password_sha256[0] == 0xc4);
    CHECK(a.password_sha256[31] == 0x8a);
    CHECK(a.limits.step_deadline == 5s);
    CHECK(a.limits.max_sessions == 10);

    std::string file = "build-ussd-http-password.txt";
    std::ofstream(file) << "correct horse battery staple\n";
    auto d = parse_config(R"([ussd]
[[ussd.http]]
name = "agg"
user = "agg"
password_file = "build-ussd-http-password.txt"
)");
    std::remove(file.c_str());
    CHECK(d.ussd_http.at(0).password_sha256 == a.password_sha256);
}

TEST_CASE("ussd.http: errors name file, line and key") {
    auto err = [](std::string body) { return config_error_of("[ussd]\n[[ussd.http]]\n" + body); };
    CHECK(err("name = \"a\"\n").find("conf/t.toml:2: key 'ussd.http[0].allowed_addresses'") !=
          std::string::npos);
    CHECK(
        err("name = \"a b\"\nallowed_addresses = [\"127.0.0.1\"]\n").find("'ussd.http[0].name'") !=
        std::string::npos);
    CHECK(err("name = \"a\"\nallowed_addresses = [\"localhost\"]\n").find("not an IP address") !=
          std::string::npos);
    CHECK(err("name = \"a\"\nallowed_addresses = [\"127.0.0.1\"]\npath = \"ussd\"\n")
              .find("'ussd.http[0].path'") != std::string::npos);
    CHECK(err("name = \"a\"\nuser = \"u\"\n").find("needs password_hash or password_file") !=
          std::string::npos);
    CHECK(err("name = \"a\"\nuser = \"u\"\npassword_hash = \"secret\"\n")
              .find("'ussd.http[0].password_hash'") != std::string::npos);
    CHECK(err("name = \"a\"\nuser = \"u\"\npassword_file = \"/nonexistent/pw\"\n")
              .find("cannot read") != std::string::npos);
    CHECK(err("name = \"a\"\nallowed_addresses = [\"127.0.0.1\"]\nstep_deadline = \"20s\"\n"
              "idle_timeout = \"10s\"\n")
              .find("longer than step_deadline") != std::string::npos);
    CHECK(err("name = \"a\"\nallowed_addresses = [\"127.0.0.1\"]\ncolour = 1\n")
              .find("'ussd.http[0].colour'") != std::string::npos);
    CHECK(config_error_of("[ussd]\n[[ussd.http]]\nname = \"a\"\nallowed_addresses = [\"127.0.0.1\"]"
                          "\n[[ussd.http]]\nname = \"a\"\nallowed_addresses = [\"127.0.0.1\"]\n")
              .find("defined twice") != std::string::npos);
    CHECK(config_error_of("[http]\nenabled = false\n[ussd]\n[[ussd.http]]\nname = \"a\"\n"
                          "allowed_addresses = [\"127.0.0.1\"]\n")
              .find("[http] enabled") != std::string::npos);
}

}  // namespace ussd_http_section_test
