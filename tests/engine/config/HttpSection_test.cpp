#include "engine/config/HttpSection.hpp"

#include <doctest/doctest.h>

#include "engine/config/ConfigTestSupport.hpp"

namespace http_section_test {

using namespace ussdgw::config;
using namespace std::chrono_literals;

using ussdgw::test::config_error_of;
using ussdgw::test::parse_config;

TEST_CASE("http section: defaults without the section") {
    auto c = parse_config("").http;
    CHECK(c.enabled);
    CHECK(c.listen.host == "127.0.0.1");
    CHECK(c.listen.port == 8080);
    CHECK_FALSE(c.ops_listen);
    CHECK(c.max_connections == 1024);
    CHECK(c.max_header_bytes == 8192);
    CHECK(c.max_body_bytes == 65536);
    CHECK(c.request_timeout == 10s);
    CHECK(c.idle_timeout == 60s);
}

TEST_CASE("http section: every key") {
    auto c = parse_config(R"([http]
enabled = true
listen = "0.0.0.0:0"
ops_listen = "[::1]:9100"
max_connections = 10
max_header_bytes = 4096
max_body_bytes = 0
request_timeout = "2s"
idle_timeout = "5s"
write_timeout = "3s"
handler_timeout = "20s"
shutdown_grace = "0s"
)")
                 .http;
    CHECK(c.listen.host == "0.0.0.0");
    CHECK(c.listen.port == 0);
    REQUIRE(c.ops_listen);
    CHECK(c.ops_listen->host == "::1");
    CHECK(c.ops_listen->port == 9100);
    CHECK(c.max_connections == 10);
    CHECK(c.max_header_bytes == 4096);
    CHECK(c.max_body_bytes == 0);
    CHECK(c.request_timeout == 2s);
    CHECK(c.idle_timeout == 5s);
    CHECK(c.write_timeout == 3s);
    CHECK(c.handler_timeout == 20s);
    CHECK(c.shutdown_grace == 0s);
}

TEST_CASE("http section: errors name file, line and key") {
    CHECK(config_error_of("[http]\nlisten = \"localhost:80\"\n") ==
          "conf/t.toml:2: key 'http.listen': 'localhost:80' is not IP:port (port 0 to 65535; "
          "[::1]:8080 for IPv6)");
    CHECK(config_error_of("[http]\nlisten = \"127.0.0.1\"\n")
              .starts_with("conf/t.toml:2: key 'http.listen'"));
    CHECK(config_error_of("[http]\nlisten = \"127.0.0.1:70000\"\n")
              .starts_with("conf/t.toml:2: key 'http.listen'"));
    CHECK(
        config_error_of("[http]\nlisten = \"127.0.0.1:8080\"\nops_listen = \"127.0.0.1:8080\"\n") ==
        "conf/t.toml:3: key 'http.ops_listen': must differ from listen (or be \"\" to serve "
        "both there)");
    CHECK(config_error_of("[http]\nmax_connections = 0\n") ==
          "conf/t.toml:2: key 'http.max_connections': 0 is out of range (allowed 1 to 100000)");
    CHECK(config_error_of("[http]\n\nmax_header_bytes = 10\n")
              .starts_with("conf/t.toml:3: key 'http.max_header_bytes'"));
    CHECK(config_error_of("[http]\nrequest_timeout = \"soon\"\n")
              .starts_with("conf/t.toml:2: key 'http.request_timeout'"));
    CHECK(config_error_of("[http]\nlisten_port = 1\n")
              .starts_with("conf/t.toml:2: key 'http.listen_port'"));
}

TEST_CASE("smpp client links are required for readiness unless said otherwise") {
    auto c = parse_config(R"([[smpp.client]]
name = "a"
system_id = "gw"
[[smpp.client]]
name = "b"
system_id = "gw"
required = false
)");
    REQUIRE(c.smpp.clients.size() == 2);
    CHECK(c.smpp.clients[0].required);
    CHECK_FALSE(c.smpp.clients[1].required);
    CHECK(config_error_of("[[smpp.client]]\nname = \"a\"\nsystem_id = \"gw\"\nrequired = "
                          "\"yes\"\n")
              .starts_with("conf/t.toml:4: key 'smpp.client[0].required'"));
}

}  // namespace http_section_test
