#include "engine/config/ApiSection.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <set>

namespace ussdgw::config {

namespace {

using Millis = std::chrono::milliseconds;
using namespace std::chrono_literals;

bool is_code(const std::string& s) {
    return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// [api.sms.<purpose>]: ru, en and be, each with {code}.
api::SmsTexts parse_texts(const ConfigTable& sms, std::string_view purpose,
                          const api::SmsTexts& fallback) {
    auto t = sms.table(purpose);
    if (!t) return fallback;
    api::SmsTexts out;
    for (auto [lang, slot] :
         {std::pair{"ru", &out.ru}, std::pair{"en", &out.en}, std::pair{"be", &out.be}}) {
        *slot = t->string(lang);
        if (slot->find("{code}") == std::string::npos) t->fail(lang, "must contain {code}");
        if (slot->size() > 300) t->fail(lang, "at most 300 bytes (one or two SMS)");
    }
    t->finish();
    return out;
}

}  // namespace

api::ApiConfig parse_api_section(const ConfigTable& t) {
    api::ApiConfig c;
    c.enabled = t.boolean("enabled", c.enabled);
    c.session_idle_timeout = t.duration("session_idle_timeout", c.session_idle_timeout, 1s, 24h);
    c.session_lifetime = t.duration("session_lifetime", c.session_lifetime, 1min, 24h * 30);
    if (c.session_lifetime < c.session_idle_timeout)
        t.fail("session_lifetime", "must not be shorter than session_idle_timeout");
    c.max_sessions_per_subscriber = static_cast<int>(
        t.integer("max_sessions_per_subscriber", c.max_sessions_per_subscriber, 1, 1000));
    c.cookie_secure = t.boolean("cookie_secure", c.cookie_secure);
    c.trusted_proxies = t.string_list("trusted_proxies", c.trusted_proxies);
    for (const auto& p : c.trusted_proxies) {
        boost::system::error_code ec;
        boost::asio::ip::make_address(p, ec);
        if (ec) t.fail("trusted_proxies", fmt::format("'{}' is not an IP address", p));
    }

    c.login_failures_per_address = static_cast<int>(
        t.integer("login_failures_per_address", c.login_failures_per_address, 1, 1'000'000));
    c.code_requests_per_address = static_cast<int>(
        t.integer("code_requests_per_address", c.code_requests_per_address, 1, 1'000'000));
    c.address_window = t.duration("address_window", c.address_window, 1s, 24h);
    c.addresses_tracked = static_cast<std::size_t>(t.integer(
        "addresses_tracked", static_cast<std::int64_t>(c.addresses_tracked), 100, 10'000'000));
    c.unknown_numbers_tracked = static_cast<std::size_t>(
        t.integer("unknown_numbers_tracked", static_cast<std::int64_t>(c.unknown_numbers_tracked),
                  100, 10'000'000));

    c.password_min_length = static_cast<std::size_t>(
        t.integer("password_min_length", static_cast<std::int64_t>(c.password_min_length), 5, 64));
    c.password_max_length = static_cast<std::size_t>(t.integer(
        "password_max_length", static_cast<std::int64_t>(c.password_max_length), 8, 1024));
    if (c.password_max_length < c.password_min_length)
        t.fail("password_max_length", "must not be lower than password_min_length");
    c.password_deny_list = t.string_list("password_deny_list", c.password_deny_list);

    c.code_ttl = t.duration("code_ttl", c.code_ttl, 5s, 1h);
    c.code_max_tries = static_cast<int>(t.integer("code_max_tries", c.code_max_tries, 1, 10));
    c.code_resend_interval = t.duration("code_resend_interval", c.code_resend_interval, 0ms, 1h);
    c.step_up_validity = t.duration("step_up_validity", c.step_up_validity, 1s, 24h);

    c.service_apply_delay = t.duration("service_apply_delay", c.service_apply_delay, 0ms, 24h);
    c.currency = t.string("currency", c.currency);
    if (c.currency.size() != 3 || !std::all_of(c.currency.begin(), c.currency.end(),
                                               [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
        t.fail("currency", "an ISO 4217 code such as BYN");

    if (auto sms = t.table("sms")) {
        c.register_sms = parse_texts(*sms, "register", c.register_sms);
        c.recover_sms = parse_texts(*sms, "recover", c.recover_sms);
        c.step_up_sms = parse_texts(*sms, "step_up", c.step_up_sms);
        sms->finish();
    }

    std::set<std::string> codes;
    for (const auto& s : t.tables("service")) {
        api::ServiceOffer o;
        o.code = s.string("code");
        if (!is_code(o.code))
            s.fail("code", "1 to 32 characters: lower-case letters, digits, '_' or '-'");
        if (!codes.insert(o.code).second) s.fail("code", "'" + o.code + "' is listed twice");
        o.name_ru = s.string("name_ru");
        o.name_en = s.string("name_en");
        o.name_be = s.string("name_be");
        for (auto [key, v] : {std::pair{"name_ru", &o.name_ru}, std::pair{"name_en", &o.name_en},
                              std::pair{"name_be", &o.name_be}})
            if (v->empty()) s.fail(key, "must not be empty");
        o.price = s.integer("price", 0, 100'000'000);
        s.finish();
        c.services.push_back(std::move(o));
    }

    std::set<std::string> names, hashes;
    for (const auto& s : t.tables("staff")) {
        api::StaffToken k;
        k.name = s.string("name");
        if (!is_code(k.name) && !(k.name.find_first_of(" \t\"\\") == std::string::npos &&
                                  !k.name.empty() && k.name.size() <= 64))
            s.fail("name", "1 to 64 characters, no spaces or quotes");
        if (!names.insert(k.name).second) s.fail("name", "'" + k.name + "' is listed twice");
        k.sha256_hex = s.string("token_sha256");
        if (k.sha256_hex.size() != 64 ||
            !std::all_of(k.sha256_hex.begin(), k.sha256_hex.end(), [](char ch) {
                return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
            }))
            s.fail("token_sha256",
                   "64 lower-case hex digits: the SHA-256 of the token (`ussdgw api token NAME` "
                   "makes one)");
        if (!hashes.insert(k.sha256_hex).second)
            s.fail("token_sha256", "the same token is configured twice");
        s.finish();
        c.staff.push_back(std::move(k));
    }
    t.finish();
    return c;
}

api::WebConfig parse_web_section(const ConfigTable& t) {
    api::WebConfig c;
    c.directory = t.string("directory", c.directory);
    t.finish();
    return c;
}

}  // namespace ussdgw::config
