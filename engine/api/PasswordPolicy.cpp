#include "engine/api/PasswordPolicy.hpp"

#include <algorithm>
#include <string>

namespace ussdgw::api {

namespace {
// Characters, not bytes: UTF-8 continuation bytes do not count.
std::size_t length_of(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}
}  // namespace

std::optional<ApiError> check_password(const ApiConfig& cfg, std::string_view pw,
                                       std::string_view msisdn, std::string_view field) {
    auto refuse = [&](std::string code, std::string message) {
        ApiError e = field_error(std::move(code), std::string(field), std::move(message));
        return std::optional<ApiError>(std::move(e));
    };
    std::size_t n = length_of(pw);
    if (n < cfg.password_min_length) {
        auto e = refuse("password.too_short", "the password is too short");
        e->data["min_length"] = cfg.password_min_length;
        return e;
    }
    if (n > cfg.password_max_length) {
        auto e = refuse("password.too_long", "the password is too long");
        e->data["max_length"] = cfg.password_max_length;
        return e;
    }
    if (std::any_of(pw.begin(), pw.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        return refuse("password.too_weak", "the password holds control characters");
    std::string low = lower_ascii(pw);
    bool number_like =
        low.find(msisdn.substr(msisdn.size() > 7 ? msisdn.size() - 7 : 0)) != std::string::npos ||
        std::string(msisdn).find(low) != std::string::npos;
    if (number_like) return refuse("password.too_weak", "the password is the phone number");
    if (std::all_of(pw.begin(), pw.end(), [&](char c) { return c == pw.front(); }))
        return refuse("password.too_weak", "the password repeats one character");
    for (const auto& w : cfg.password_deny_list)
        if (lower_ascii(w) == low) return refuse("password.too_weak", "the password is too common");
    return std::nullopt;
}

}  // namespace ussdgw::api
