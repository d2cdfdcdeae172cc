#include "engine/config/SmppSection.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace ussdgw::config {

namespace {
using smpp::BindType;
using smpp::Millis;

BindType parse_bind_type(const TomlTable& t, std::string_view key, const std::string& v) {
    if (v == "transmitter") return BindType::transmitter;
    if (v == "receiver") return BindType::receiver;
    if (v == "transceiver") return BindType::transceiver;
    t.fail(key, fmt::format("'{}' is not one of: transmitter, receiver, transceiver", v));
}

// required: present and not empty (TomlTable::string), else `fallback` when absent.
std::string bounded_string(const TomlTable& t, std::string_view key, std::string_view fallback,
                           std::size_t max, bool required = false) {
    std::string v = required ? t.string(key) : t.string(key, fallback);
    if (v.size() > max)
        t.fail(key, fmt::format("is {} characters long (at most {} allowed)", v.size(), max));
    return v;
}

bool is_ip_address(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Timers: each key falls back to the value inherited from the [smpp] level.
smpp::LinkTimers parse_timers(const TomlTable& t, const smpp::LinkTimers& base) {
    smpp::LinkTimers r;
    r.enquire_link_interval = t.duration("enquire_link_interval", base.enquire_link_interval,
                                         Millis(0), Millis(3'600'000));
    r.response_timeout =
        t.duration("response_timeout", base.response_timeout, Millis(10), Millis(600'000));
    r.inactivity_timeout =
        t.duration("inactivity_timeout", base.inactivity_timeout, Millis(0), Millis(86'400'000));
    r.bind_timeout = t.duration("bind_timeout", base.bind_timeout, Millis(10), Millis(600'000));
    r.unbind_timeout =
        t.duration("unbind_timeout", base.unbind_timeout, Millis(10), Millis(60'000));
    return r;
}

struct Defaults {
    smpp::LinkTimers timers;
    std::uint32_t window = 100;
    std::uint32_t receive_window = 1000;
    Millis reconnect_min{1'000};
    Millis reconnect_max{60'000};
};

std::uint8_t interface_version(const TomlTable& t, std::uint8_t fallback) {
    auto v = t.integer("interface_version", fallback, 0, 255);
    if (v != 0x33 && v != 0x34 && v != 0x50)
        t.fail("interface_version", fmt::format("{:#x} is not one of: 0x33, 0x34, 0x50", v));
    return static_cast<std::uint8_t>(v);
}

smpp::ClientLinkConfig parse_client(const TomlTable& t, const Defaults& d) {
    smpp::ClientLinkConfig c;
    c.name = bounded_string(t, "name", "", 64, true);
    c.host = bounded_string(t, "host", "127.0.0.1", 255);
    if (c.host.empty()) t.fail("host", "must not be empty");
    c.port = static_cast<std::uint16_t>(t.integer("port", 2775, 1, 65535));
    c.bind = parse_bind_type(t, "bind", t.string("bind", "transceiver"));
    c.system_id = bounded_string(t, "system_id", "", 15, true);
    c.password = Secret(bounded_string(t, "password", "", 8));
    c.system_type = bounded_string(t, "system_type", "", 12);
    c.interface_version = interface_version(t, 0x34);
    c.address_range.address = bounded_string(t, "address_range", "", 40);
    c.address_range.ton = static_cast<std::uint8_t>(t.integer("address_ton", 0, 0, 255));
    c.address_range.npi = static_cast<std::uint8_t>(t.integer("address_npi", 0, 0, 255));
    c.window = static_cast<std::uint32_t>(t.integer("window", d.window, 1, 10'000));
    c.receive_window =
        static_cast<std::uint32_t>(t.integer("receive_window", d.receive_window, 1, 100'000));
    c.throughput = t.number("throughput", 0, 0, 1'000'000);
    c.queue_limit = static_cast<std::uint32_t>(t.integer("queue_limit", 10'000, 0, 10'000'000));
    c.reconnect_min = t.duration("reconnect_min", d.reconnect_min, Millis(10), Millis(3'600'000));
    c.reconnect_max = t.duration("reconnect_max", d.reconnect_max, Millis(10), Millis(3'600'000));
    if (c.reconnect_max < c.reconnect_min)
        t.fail("reconnect_max", "must not be shorter than reconnect_min");
    c.timers = parse_timers(t, d.timers);
    c.roles = t.string_list("roles", {});
    std::set<std::string> seen;
    for (const auto& r : c.roles) {
        if (r != "ussd" && r != "sms")
            t.fail("roles", fmt::format("'{}' is not one of: ussd, sms", r));
        if (!seen.insert(r).second) t.fail("roles", fmt::format("'{}' is listed twice", r));
    }
    c.required = t.boolean("required", c.required);
    t.finish();
    return c;
}

smpp::AccountConfig parse_account(const TomlTable& t) {
    smpp::AccountConfig a;
    a.system_id = bounded_string(t, "system_id", "", 15, true);
    a.password = Secret(bounded_string(t, "password", "", 8));
    a.allowed_addresses = t.string_list("allowed_addresses", {});
    for (const auto& ip : a.allowed_addresses)
        if (!is_ip_address(ip))
            t.fail("allowed_addresses", fmt::format("'{}' is not an IP address", ip));
    if (t.has("bind_types")) {
        a.bind_types.clear();
        for (const auto& b : t.string_list("bind_types", {}))
            a.bind_types.push_back(parse_bind_type(t, "bind_types", b));
        if (a.bind_types.empty()) t.fail("bind_types", "must list at least one bind type");
    }
    a.max_binds = static_cast<std::uint32_t>(t.integer("max_binds", 4, 1, 10'000));
    a.throughput = t.number("throughput", 0, 0, 1'000'000);
    a.roles = t.string_list("roles", {});
    std::set<std::string> seen;
    for (const auto& r : a.roles) {
        if (r != "ussd" && r != "sms")
            t.fail("roles", fmt::format("'{}' is not one of: ussd, sms", r));
        if (!seen.insert(r).second) t.fail("roles", fmt::format("'{}' is listed twice", r));
    }
    a.outgoing_sms = t.boolean("outgoing_sms", false);
    if (a.outgoing_sms && !a.bind_types.empty() &&
        std::find(a.bind_types.begin(), a.bind_types.end(), BindType::transmitter) !=
            a.bind_types.end() &&
        a.bind_types.size() == 1)
        t.fail("outgoing_sms", "needs a receiver or transceiver among bind_types");
    bool sms_role = std::find(a.roles.begin(), a.roles.end(), "sms") != a.roles.end();
    for (const char* key : {"sms_throughput", "sms_max_queued"})
        if (t.has(key) && !sms_role) t.fail(key, "applies only to an account with the sms role");
    a.sms_throughput = t.number("sms_throughput", 0, 0, 1'000'000);
    a.sms_max_queued =
        static_cast<std::uint32_t>(t.integer("sms_max_queued", a.sms_max_queued, 1, 10'000'000));
    t.finish();
    return a;
}

smpp::ServerConfig parse_server(const TomlTable& t, const Defaults& d) {
    smpp::ServerConfig s;
    s.enabled = t.boolean("enabled", false);
    std::string listen = t.string("listen", "127.0.0.1:2776");
    if (!parse_host_port(listen, s.host, s.port))
        t.fail("listen", fmt::format("'{}' is not host:port (port 0 to 65535)", listen));
    s.system_id = bounded_string(t, "system_id", "ussdgw", 15);
    s.max_connections = static_cast<std::uint32_t>(t.integer("max_connections", 100, 1, 100'000));
    s.max_unbound = static_cast<std::uint32_t>(t.integer("max_unbound", 20, 1, 100'000));
    if (s.max_unbound > s.max_connections)
        t.fail("max_unbound", fmt::format("{} is more than max_connections ({})", s.max_unbound,
                                          s.max_connections));
    s.max_unbound_per_address =
        static_cast<std::uint32_t>(t.integer("max_unbound_per_address", 5, 1, 100'000));
    if (s.max_unbound_per_address > s.max_unbound)
        t.fail("max_unbound_per_address", fmt::format("{} is more than max_unbound ({})",
                                                      s.max_unbound_per_address, s.max_unbound));
    auto& g = s.bind_guard;
    g.window =
        t.duration("bind_failure_window", Millis(15 * 60'000), Millis(1'000), Millis(86'400'000));
    g.slowdown_after = static_cast<std::uint32_t>(t.integer("bind_slowdown_after", 3, 0, 1'000));
    g.slowdown = t.duration("bind_slowdown", Millis(1'000), Millis(1), Millis(60'000));
    g.lockout_after = static_cast<std::uint32_t>(t.integer("bind_lockout_after", 10, 0, 100'000));
    g.account_lockout_after =
        static_cast<std::uint32_t>(t.integer("account_lockout_after", 30, 0, 100'000));
    s.window = static_cast<std::uint32_t>(t.integer("window", d.window, 1, 10'000));
    s.receive_window =
        static_cast<std::uint32_t>(t.integer("receive_window", d.receive_window, 1, 100'000));
    s.timers = parse_timers(t, d.timers);
    g.max_delay = s.timers.bind_timeout;
    std::set<std::string> ids;
    for (const auto& at : t.tables("account")) {
        auto a = parse_account(at);
        if (!ids.insert(a.system_id).second)
            at.fail("system_id", fmt::format("account '{}' is defined twice", a.system_id));
        s.accounts.push_back(std::move(a));
    }
    if (s.enabled && s.accounts.empty())
        t.fail("account", "an enabled server needs at least one [[smpp.server.account]]");
    t.finish();
    return s;
}
}  // namespace

bool parse_host_port(std::string_view text, std::string& host, std::uint16_t& port) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
    std::string_view h = text.substr(0, colon);
    std::string_view p = text.substr(colon + 1);
    if (h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || ptr != p.data() + p.size() || v > 65535 || h.empty()) return false;
    host = std::string(h);
    port = static_cast<std::uint16_t>(v);
    return true;
}

smpp::SmppConfig parse_smpp_section(const TomlTable& t) {
    Defaults d;
    d.timers = parse_timers(t, smpp::LinkTimers{});
    d.window = static_cast<std::uint32_t>(t.integer("window", 100, 1, 10'000));
    d.receive_window = static_cast<std::uint32_t>(t.integer("receive_window", 1000, 1, 100'000));
    d.reconnect_min = t.duration("reconnect_min", Millis(1'000), Millis(10), Millis(3'600'000));
    d.reconnect_max = t.duration("reconnect_max", Millis(60'000), Millis(10), Millis(3'600'000));
    if (d.reconnect_max < d.reconnect_min)
        t.fail("reconnect_max", "must not be shorter than reconnect_min");

    smpp::SmppConfig c;
    std::set<std::string> names;
    for (const auto& ct : t.tables("client")) {
        auto link = parse_client(ct, d);
        if (!names.insert(link.name).second)
            ct.fail("name", fmt::format("link name '{}' is used twice", link.name));
        c.clients.push_back(std::move(link));
    }
    if (auto st = t.table("server")) c.server = parse_server(*st, d);
    t.finish();
    return c;
}

}  // namespace ussdgw::config
