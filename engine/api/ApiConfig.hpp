// ApiConfig: the plain settings of the cabinet API ([api] in conf/ussdgw.toml, parsed and
// validated by engine/config/ApiSection) and of the web page's files ([web]). Every key is
// documented in conf/ussdgw.toml.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ussdgw::api {

using std::chrono::milliseconds;

// A service of the catalogue (SPEC 2.9).
struct ServiceOffer {
    std::string code;
    std::string name_ru, name_en, name_be;
    std::int64_t price = 0;  // minor units, charged when connected
};

// A named API token of the operator's staff: only its SHA-256 is configured.
struct StaffToken {
    std::string name;
    std::string sha256_hex;
};

// The texts of one SMS in the three languages; "{code}" is replaced by the code.
struct SmsTexts {
    std::string ru, en, be;
    const std::string& in(const std::string& language) const {
        return language == "en" ? en : language == "be" ? be : ru;
    }
};

struct ApiConfig {
    bool enabled = true;

    // Sessions (SPEC 2.8).
    milliseconds session_idle_timeout{std::chrono::minutes(15)};
    milliseconds session_lifetime{std::chrono::hours(12)};
    int max_sessions_per_subscriber = 10;
    bool cookie_secure = false;
    // Proxies whose X-Forwarded-For names the client (else the peer address is the client).
    std::vector<std::string> trusted_proxies;

    // Limits per source address (wrong logins and codes, SMS code requests), per window.
    int login_failures_per_address = 30;
    int code_requests_per_address = 10;
    milliseconds address_window{std::chrono::minutes(15)};
    std::size_t addresses_tracked = 100'000;
    std::size_t unknown_numbers_tracked = 100'000;

    // The password policy of the cabinet (not the USSD-issued random ones).
    std::size_t password_min_length = 5;
    std::size_t password_max_length = 64;
    std::vector<std::string> password_deny_list;

    // One-time SMS codes.
    milliseconds code_ttl{std::chrono::minutes(5)};
    int code_max_tries = 3;
    milliseconds code_resend_interval{std::chrono::seconds(60)};
    SmsTexts register_sms{"Код для регистрации в Личном кабинете: {code}. Никому не сообщайте его.",
                          "Your self-service cabinet registration code: {code}. Do not share it.",
                          "Код для рэгістрацыі ў Асабістым кабінеце: {code}. Нікому яго не "
                          "паведамляйце."};
    SmsTexts recover_sms{
        "Код для восстановления пароля Личного кабинета: {code}. Никому не сообщайте его.",
        "Your self-service cabinet password recovery code: {code}. Do not share it.",
        "Код для аднаўлення пароля Асабістага кабінета: {code}. Нікому яго не паведамляйце."};
    SmsTexts step_up_sms{"Код для просмотра детализации звонков: {code}. Никому не сообщайте его.",
                         "Your code to view call details: {code}. Do not share it.",
                         "Код для прагляду дэталізацыі званкоў: {code}. Нікому яго не "
                         "паведамляйце."};
    // How long a step-up lets call details be read.
    milliseconds step_up_validity{std::chrono::minutes(10)};

    // Service requests: a confirmed request takes effect after this delay (at most 24 h).
    milliseconds service_apply_delay{std::chrono::hours(1)};
    std::string currency = "BYN";
    std::vector<ServiceOffer> services;

    std::vector<StaffToken> staff;
};

// [web]: the cabinet page's static files, served at "/" ("" = not served).
struct WebConfig {
    std::string directory = "engine/web";
};

}  // namespace ussdgw::api
