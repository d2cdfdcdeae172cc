#include "engine/config/HttpSection.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>

#include "engine/config/SmppSection.hpp"

namespace ussdgw::config {

namespace {

using Millis = std::chrono::milliseconds;

http::HttpEndpoint parse_endpoint(const TomlTable& t, std::string_view key,
                                  const std::string& text) {
    http::HttpEndpoint e;
    boost::system::error_code ec;
    if (!parse_host_port(text, e.host, e.port) || (boost::asio::ip::make_address(e.host, ec), ec))
        t.fail(key,
               fmt::format("'{}' is not IP:port (port 0 to 65535; [::1]:8080 for IPv6)", text));
    return e;
}

}  // namespace

http::HttpConfig parse_http_section(const TomlTable& t) {
    http::HttpConfig c;
    c.enabled = t.boolean("enabled", c.enabled);
    c.listen = parse_endpoint(t, "listen", t.string("listen", "127.0.0.1:8080"));
    std::string ops = t.string("ops_listen", "");
    if (!ops.empty()) {
        c.ops_listen = parse_endpoint(t, "ops_listen", ops);
        if (c.ops_listen->port != 0 && c.ops_listen->port == c.listen.port &&
            c.ops_listen->host == c.listen.host)
            t.fail("ops_listen", "must differ from listen (or be \"\" to serve both there)");
    }
    c.max_connections =
        static_cast<std::uint32_t>(t.integer("max_connections", c.max_connections, 1, 100'000));
    c.max_header_bytes = static_cast<std::size_t>(t.integer(
        "max_header_bytes", static_cast<std::int64_t>(c.max_header_bytes), 1024, 1 << 20));
    c.max_body_bytes = static_cast<std::size_t>(
        t.integer("max_body_bytes", static_cast<std::int64_t>(c.max_body_bytes), 0, 64 << 20));
    c.request_timeout =
        t.duration("request_timeout", c.request_timeout, Millis(100), Millis(600'000));
    c.idle_timeout = t.duration("idle_timeout", c.idle_timeout, Millis(100), Millis(3'600'000));
    c.write_timeout = t.duration("write_timeout", c.write_timeout, Millis(100), Millis(600'000));
    c.handler_timeout =
        t.duration("handler_timeout", c.handler_timeout, Millis(100), Millis(600'000));
    c.shutdown_grace = t.duration("shutdown_grace", c.shutdown_grace, Millis(0), Millis(300'000));
    t.finish();
    return c;
}

}  // namespace ussdgw::config
