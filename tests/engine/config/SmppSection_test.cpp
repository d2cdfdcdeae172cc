#include "engine/config/SmppSection.hpp"

#include <doctest/doctest.h>

#include "engine/config/ConfigTestSupport.hpp"

namespace smpp_section_test {

using namespace ussdgw;
using namespace ussdgw::config;
using namespace std::chrono_literals;
using ussdgw::smpp::BindType;
using ussdgw::test::parse_config;

namespace {
ussdgw::smpp::SmppConfig parse(std::string_view text) {
    return parse_config(text).smpp;
}
std::string error_of(std::string_view text) {
    return ussdgw::test::config_error_of(text);
}
constexpr const char* kClient = R"([smpp]
[[smpp.client]]
name = "a"
system_id = "gw"
)";
}  // namespace

TEST_CASE("smpp section: a full file gives every value, [smpp] keys are defaults") {
    auto c = parse(R"(
[smpp]
enquire_link_interval = "20s"
response_timeout = "5s"
window = 50
receive_window = 500
reconnect_min = "2s"
reconnect_max = "30s"
[[smpp.client]]
name = "ussdc"
host = "10.0.0.1"
port = 2775
bind = "receiver"
system_id = "ussdgw"
password = "secret"
system_type = "USSD"
interface_version = 0x50
address_range = "^375"
window = 10
receive_window = 20
throughput = 25.5
roles = ["ussd"]
[[smpp.client]]
name = "sms"
system_id = "smsgw"
response_timeout = "1s"
[smpp.server]
enabled = true
listen = "0.0.0.0:2776"
max_connections = 7
max_unbound = 4
max_unbound_per_address = 2
bind_timeout = "3s"
bind_failure_window = "5m"
bind_slowdown_after = 2
bind_slowdown = "200ms"
bind_lockout_after = 6
account_lockout_after = 0
[[smpp.server.account]]
system_id = "esme"
password = "pw"
allowed_addresses = ["127.0.0.1", "::1"]
bind_types = ["transmitter"]
max_binds = 2
throughput = 100
roles = ["ussd", "sms"]
)");
    REQUIRE(c.clients.size() == 2);
    const auto& a = c.clients[0];
    CHECK(a.name == "ussdc");
    CHECK(a.host == "10.0.0.1");
    CHECK(a.bind == BindType::receiver);
    CHECK(a.password.reveal() == "secret");
    CHECK(a.interface_version == 0x50);
    CHECK(a.address_range.address == "^375");
    CHECK(a.window == 10);
    CHECK(a.receive_window == 20);
    CHECK(a.throughput == doctest::Approx(25.5));
    CHECK(a.timers.enquire_link_interval == 20s);
    CHECK(a.reconnect_min == 2s);
    CHECK(a.roles == std::vector<std::string>{"ussd"});
    const auto& b = c.clients[1];
    CHECK(b.port == 2775);
    CHECK(b.bind == BindType::transceiver);
    CHECK(b.window == 50);
    CHECK(b.receive_window == 500);
    CHECK(b.timers.response_timeout == 1s);
    CHECK(b.reconnect_max == 30s);
    CHECK(c.server.enabled);
    CHECK(c.server.host == "0.0.0.0");
    CHECK(c.server.port == 2776);
    CHECK(c.server.max_connections == 7);
    CHECK(c.server.max_unbound == 4);
    CHECK(c.server.max_unbound_per_address == 2);
    CHECK(c.server.bind_guard.window == 5min);
    CHECK(c.server.bind_guard.slowdown_after == 2);
    CHECK(c.server.bind_guard.slowdown == 200ms);
    CHECK(c.server.bind_guard.max_delay == 3s);  // the server's bind_timeout
    CHECK(c.server.bind_guard.lockout_after == 6);
    CHECK(c.server.bind_guard.account_lockout_after == 0);
    CHECK(c.server.window == 50);
    CHECK(c.server.receive_window == 500);
    REQUIRE(c.server.accounts.size() == 1);
    CHECK(c.server.accounts[0].allowed_addresses.size() == 2);
    CHECK(c.server.accounts[0].bind_types == std::vector<BindType>{BindType::transmitter});
    CHECK(c.server.accounts[0].max_binds == 2);
    CHECK(c.server.accounts[0].roles == std::vector<std::string>{"ussd", "sms"});
}

TEST_CASE("smpp section: the shipped file has the simulator link and a server") {
    auto cfg = load_engine_config(USSDGW_SOURCE_DIR "/conf/ussdgw.toml");
    REQUIRE(cfg.smpp.clients.size() >= 1);
    CHECK(cfg.smpp.clients[0].name == "ussdc");
    CHECK(cfg.smpp.clients[0].port == 2775);
    CHECK(cfg.smpp.server.port == 2776);
    CHECK(cfg.smpp.clients[0].receive_window == 1000);
    CHECK(cfg.smpp.server.receive_window == 1000);
    CHECK(cfg.smpp.server.max_unbound == 20);
    CHECK(cfg.smpp.server.max_unbound_per_address == 5);
    CHECK(cfg.smpp.server.bind_guard.lockout_after == 10);
    CHECK(cfg.smpp.server.accounts[0].roles.empty());  // refused until the listener serves
    CHECK_FALSE(cfg.smpp.server.accounts.empty());
}

TEST_CASE("smpp section: errors name file, line and key") {
    CHECK(error_of(std::string(kClient) + "colour = \"red\"\n") ==
          "conf/t.toml:5: key 'smpp.client[0].colour': unknown key");
    CHECK(error_of("[smpp]\nwindw = 3\n") == "conf/t.toml:2: key 'smpp.windw': unknown key");
    CHECK(error_of(std::string(kClient) + "port = 0\n") ==
          "conf/t.toml:5: key 'smpp.client[0].port': 0 is out of range (allowed 1 to 65535)");
    CHECK(error_of(std::string(kClient) + "bind = \"both\"\n") ==
          "conf/t.toml:5: key 'smpp.client[0].bind': 'both' is not one of: transmitter, "
          "receiver, transceiver");
    CHECK(error_of("[smpp]\n[[smpp.client]]\nname = \"a\"\nsystem_id = \"abcdefghijklmnop\"\n") ==
          "conf/t.toml:4: key 'smpp.client[0].system_id': is 16 characters long (at most 15 "
          "allowed)");
    CHECK(error_of(std::string(kClient) + "password = \"123456789\"\n") ==
          "conf/t.toml:5: key 'smpp.client[0].password': is 9 characters long (at most 8 "
          "allowed)");
    CHECK(error_of("[smpp]\n[[smpp.client]]\nsystem_id = \"x\"\n") ==
          "conf/t.toml:2: key 'smpp.client[0].name': is required (a string)");
    CHECK(error_of(std::string(kClient) + "[[smpp.client]]\nname = \"a\"\nsystem_id = \"y\"\n") ==
          "conf/t.toml:6: key 'smpp.client[1].name': link name 'a' is used twice");
    CHECK(error_of(std::string(kClient) + "interface_version = 0x20\n") ==
          "conf/t.toml:5: key 'smpp.client[0].interface_version': 0x20 is not one of: 0x33, "
          "0x34, 0x50");
    CHECK(error_of(std::string(kClient) + "reconnect_min = \"5s\"\nreconnect_max = \"1s\"\n") ==
          "conf/t.toml:6: key 'smpp.client[0].reconnect_max': must not be shorter than "
          "reconnect_min");
    CHECK(error_of(std::string(kClient) + "response_timeout = \"soon\"\n") ==
          "conf/t.toml:5: key 'smpp.client[0].response_timeout': 'soon' is not a duration (use "
          "a number with ms, s, m, h or d)");
    CHECK(error_of("[smpp]\nwindow = 0\n") ==
          "conf/t.toml:2: key 'smpp.window': 0 is out of range (allowed 1 to 10000)");
    CHECK(error_of("[smpp]\nreceive_window = 0\n") ==
          "conf/t.toml:2: key 'smpp.receive_window': 0 is out of range (allowed 1 to 100000)");
}

TEST_CASE("smpp section: server and account errors") {
    CHECK(error_of("[smpp.server]\nlisten = \"localhost\"\n") ==
          "conf/t.toml:2: key 'smpp.server.listen': 'localhost' is not host:port (port 0 to "
          "65535)");
    CHECK(error_of("[smpp.server]\nlisten = \"1.2.3.4:99999\"\n") ==
          "conf/t.toml:2: key 'smpp.server.listen': '1.2.3.4:99999' is not host:port (port 0 "
          "to 65535)");
    CHECK(error_of("[smpp.server]\nenabled = true\n") ==
          "conf/t.toml:1: key 'smpp.server.account': an enabled server needs at least one "
          "[[smpp.server.account]]");
    const char* acct = "[smpp.server]\n[[smpp.server.account]]\nsystem_id = \"e\"\n";
    CHECK(error_of(std::string(acct) + "allowed_addresses = [\"10.0.0.300\"]\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].allowed_addresses': '10.0.0.300' is not "
          "an IP address");
    CHECK(error_of(std::string(acct) + "bind_types = [\"sender\"]\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].bind_types': 'sender' is not one of: "
          "transmitter, receiver, transceiver");
    CHECK(error_of(std::string(acct) + "bind_types = []\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].bind_types': must list at least one bind "
          "type");
    CHECK(error_of(std::string(acct) + "max_binds = 0\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].max_binds': 0 is out of range (allowed 1 "
          "to 10000)");
    CHECK(error_of(std::string(acct) + "[[smpp.server.account]]\nsystem_id = \"e\"\n") ==
          "conf/t.toml:5: key 'smpp.server.account[1].system_id': account 'e' is defined twice");
    CHECK(error_of(std::string(acct) + "pasword = \"x\"\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].pasword': unknown key");
    CHECK(error_of(std::string(acct) + "roles = [\"mms\"]\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].roles': 'mms' is not one of: ussd, sms");
    CHECK(error_of(std::string(acct) + "roles = [\"sms\", \"sms\"]\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].roles': 'sms' is listed twice");
    CHECK(error_of(std::string(acct) + "sms_throughput = 5\n") ==
          "conf/t.toml:4: key 'smpp.server.account[0].sms_throughput': applies only to an "
          "account with the sms role");
    CHECK(error_of(std::string(acct) + "roles = [\"sms\"]\nsms_max_queued = 0\n") ==
          "conf/t.toml:5: key 'smpp.server.account[0].sms_max_queued': 0 is out of range "
          "(allowed 1 to 10000000)");
    CHECK(error_of(std::string(acct) + "roles = [\"sms\"]\nsms_throughput = -1\n") ==
          "conf/t.toml:5: key 'smpp.server.account[0].sms_throughput': -1 is out of range "
          "(allowed 0 to 1000000)");
    CHECK(error_of("[smpp.server]\nmax_connections = 10\nmax_unbound = 11\n") ==
          "conf/t.toml:3: key 'smpp.server.max_unbound': 11 is more than max_connections (10)");
    CHECK(error_of("[smpp.server]\nmax_unbound = 3\nmax_unbound_per_address = 4\n") ==
          "conf/t.toml:3: key 'smpp.server.max_unbound_per_address': 4 is more than "
          "max_unbound (3)");
    CHECK(error_of("[smpp.server]\nbind_slowdown = \"0s\"\n") ==
          "conf/t.toml:2: key 'smpp.server.bind_slowdown': 0ms is out of range (allowed 1ms "
          "to 60000ms)");
}

TEST_CASE("parse_host_port") {
    std::string h;
    std::uint16_t p = 1;
    CHECK(parse_host_port("127.0.0.1:0", h, p));
    CHECK(h == "127.0.0.1");
    CHECK(p == 0);
    CHECK(parse_host_port("[::1]:2776", h, p));
    CHECK(h == "::1");
    CHECK_FALSE(parse_host_port(":2776", h, p));
    CHECK_FALSE(parse_host_port("x:", h, p));
    CHECK_FALSE(parse_host_port("x:-1", h, p));
}

TEST_CASE("smpp section: an integrator account's sms limits") {
    auto c = parse(R"([smpp.server]
[[smpp.server.account]]
system_id = "shop"
roles = ["sms"]
sms_throughput = 25.5
sms_max_queued = 300
[[smpp.server.account]]
system_id = "other"
roles = ["sms"]
)");
    REQUIRE(c.server.accounts.size() == 2);
    CHECK(c.server.accounts[0].sms_throughput == 25.5);
    CHECK(c.server.accounts[0].sms_max_queued == 300);
    CHECK(c.server.accounts[1].sms_throughput == 0);
    CHECK(c.server.accounts[1].sms_max_queued == 10'000);
}

}  // namespace smpp_section_test
