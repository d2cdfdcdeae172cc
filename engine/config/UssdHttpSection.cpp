#include "engine/config/UssdHttpSection.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <set>
#include <stdexcept>

#include "engine/base/Secret.hpp"

namespace ussdgw::config {

namespace {

using Millis = std::chrono::milliseconds;

std::array<unsigned char, 32> sha256_of(std::string_view text) {
    std::array<unsigned char, 32> d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return d;
}

std::array<unsigned char, 32> parse_digest(const TomlTable& t, const std::string& text) {
    constexpr std::string_view prefix = "sha256:";
    std::array<unsigned char, 32> d{};
    std::size_t len = 0;
    if (text.rfind(prefix, 0) != 0 || text.size() != prefix.size() + 64 ||
        sodium_hex2bin(d.data(), d.size(), text.data() + prefix.size(), 64, nullptr, &len,
                       nullptr) != 0 ||
        len != d.size())
        t.fail("password_hash",
               "must be \"sha256:\" and 64 hex digits (sha256sum of the password)");
    return d;
}

std::array<unsigned char, 32> read_password_file(const TomlTable& t, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) t.fail("password_file", fmt::format("cannot read '{}'", path));
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Secret password(std::move(line));
    if (password.size() < 12)
        t.fail("password_file", fmt::format("'{}' must hold a password of at least 12 characters "
                                            "on its first line",
                                            path));
    return sha256_of(password.reveal());
}

}  // namespace

std::vector<http::HttpUssdAccount> parse_ussd_http_accounts(const TomlTable& ussd) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
    std::vector<http::HttpUssdAccount> out;
    std::set<std::string> names;
    for (const TomlTable& t : ussd.tables("http")) {
        http::HttpUssdAccount a;
        a.name = t.string("name");
        if (a.name.empty() || a.name.size() > 64 ||
            a.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_.-") != std::string::npos)
            t.fail("name", "must be 1 to 64 letters, digits, '_', '.' or '-'");
        if (!names.insert(a.name).second)
            t.fail("name", fmt::format("account '{}' is defined twice", a.name));
        a.path = t.string("path", a.path);
        if (a.path.empty() || a.path.front() != '/' ||
            a.path.find_first_of("?#{} ") != std::string::npos ||
            a.path.find("//") != std::string::npos || (a.path.size() > 1 && a.path.back() == '/'))
            t.fail("path", fmt::format("'{}' is not a plain path like \"/ussd\"", a.path));
        for (const auto& ip : t.string_list("allowed_addresses", {})) {
            boost::system::error_code ec;
            auto address = boost::asio::ip::make_address(ip, ec);
            if (ec) t.fail("allowed_addresses", fmt::format("'{}' is not an IP address", ip));
            a.allowed_addresses.push_back(address.to_string());
        }
        a.user = t.string("user", "");
        if (a.user.find(':') != std::string::npos || a.user.size() > 64)
            t.fail("user", "must be at most 64 characters with no ':'");
        auto hash = t.optional_string("password_hash");
        auto file = t.optional_string("password_file");
        if (a.user.empty() && (hash || file))
            t.fail(hash ? "password_hash" : "password_file", "needs a user");
        if (!a.user.empty()) {
            if (hash && file)
                t.fail("password_file", "give password_hash or password_file, not both");
            if (!hash && !file) t.fail("user", "needs password_hash or password_file");
            a.password_sha256 = hash ? parse_digest(t, *hash) : read_password_file(t, *file);
        }
        if (a.user.empty() && a.allowed_addresses.empty())
            t.fail("allowed_addresses",
                   "an account needs allowed_addresses, a user with a password, or both");
        auto& l = a.limits;
        l.step_deadline = t.duration("step_deadline", l.step_deadline, Millis(500), Millis(60'000));
        l.idle_timeout =
            t.duration("idle_timeout", l.idle_timeout, Millis(1'000), Millis(3'600'000));
        if (l.idle_timeout <= l.step_deadline)
            t.fail("idle_timeout", "must be longer than step_deadline");
        l.repeat_window = t.duration("repeat_window", l.repeat_window, Millis(0), Millis(600'000));
        l.max_sessions = static_cast<std::size_t>(
            t.integer("max_sessions", static_cast<std::int64_t>(l.max_sessions), 1, 10'000'000));
        t.finish();
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace ussdgw::config
