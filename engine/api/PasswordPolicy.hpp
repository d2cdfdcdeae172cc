// The cabinet password policy (registration, recovery, change), with no socket: at least
// `password_min_length` characters (the operator's page asks for 5), at most
// `password_max_length`, not the number itself (nor contained in it or containing it), not a
// word of the deny list (compared without case), not one character repeated. Passwords
// issued by *141*0# are random and not checked here.
#pragma once

#include <optional>
#include <string_view>

#include "engine/api/ApiConfig.hpp"
#include "engine/api/ApiJson.hpp"

namespace ussdgw::api {

// nullopt when acceptable; else "password.too_short" (min_length), "password.too_long",
// "password.too_weak", with `field` naming the request field.
std::optional<ApiError> check_password(const ApiConfig& cfg, std::string_view password,
                                       std::string_view msisdn, std::string_view field);

}  // namespace ussdgw::api
