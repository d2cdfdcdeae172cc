// The [api] and [web] sections: defaults, values, and errors naming file, line and key.
#include <doctest/doctest.h>

#include "engine/config/ConfigTestSupport.hpp"

namespace api_section_test {

using ussdgw::test::config_error_of;
using ussdgw::test::parse_config;

TEST_CASE("without [api] the defaults hold") {
    auto c = parse_config("");
    CHECK(c.api.enabled);
    CHECK(c.api.session_idle_timeout == std::chrono::minutes(15));
    CHECK(c.api.password_min_length == 5);
    CHECK(c.api.register_sms.ru.find("{code}") != std::string::npos);
    CHECK(c.web.directory == "engine/web");
}

TEST_CASE("[api] values, services and staff tokens") {
    auto c = parse_config(R"(
[api]
session_idle_timeout = "8s"
service_apply_delay = "24h"
[api.sms.step_up]
ru = "Код {code}"
en = "Code {code}"
be = "Код {code}"
[[api.service]]
code = "roaming"
name_ru = "Роуминг"
name_en = "Roaming"
name_be = "Роўмінг"
price = 0
[[api.staff]]
name = "anna"
token_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
[web]
directory = ""
)");
    CHECK(c.api.session_idle_timeout == std::chrono::seconds(8));
    CHECK(c.api.step_up_sms.en == "Code {code}");
    REQUIRE(c.api.services.size() == 1);
    CHECK(c.api.services[0].name_be == "Роўмінг");
    REQUIRE(c.api.staff.size() == 1);
    CHECK(c.api.staff[0].name == "anna");
    CHECK(c.web.directory.empty());
}

TEST_CASE("bad [api] values name file, line and key") {
    CHECK(config_error_of("[api]\nservice_apply_delay = \"25h\"\n")
              .find("conf/t.toml:2: key 'api.service_apply_delay'") == 0);
    CHECK(config_error_of("[api]\nsession_idle_timeout = \"2h\"\nsession_lifetime = \"1h\"\n")
              .find("key 'api.session_lifetime'") != std::string::npos);
    CHECK(config_error_of("[api]\npassword_min_length = 4\n").find("api.password_min_length") !=
          std::string::npos);
    CHECK(config_error_of("[api]\ntrusted_proxies = [\"localhost\"]\n").find("not an IP") !=
          std::string::npos);
    CHECK(config_error_of("[api]\ncurrency = \"rub\"\n").find("api.currency") != std::string::npos);
    CHECK(config_error_of("[api]\nsesion_idle_timeout = \"1m\"\n").find("sesion_idle_timeout") !=
          std::string::npos);
    CHECK(
        config_error_of("[api.sms.register]\nru = \"no code\"\nen = \"{code}\"\nbe = \"{code}\"\n")
            .find("conf/t.toml:2: key 'api.sms.register.ru': must contain {code}") == 0);
    CHECK(config_error_of("[[api.service]]\ncode = \"Bad Code\"\nname_ru = \"a\"\nname_en = "
                          "\"a\"\nname_be = \"a\"\nprice = 1\n")
              .find("api.service[0].code") != std::string::npos);
    CHECK(config_error_of("[[api.service]]\ncode = \"a\"\nname_ru = \"a\"\nname_en = \"a\"\n"
                          "name_be = \"a\"\nprice = -1\n")
              .find("price") != std::string::npos);
    CHECK(config_error_of("[[api.staff]]\nname = \"anna\"\ntoken_sha256 = \"abc\"\n")
              .find("api.staff[0].token_sha256") != std::string::npos);
    CHECK(config_error_of("[web]\ndir = \"x\"\n").find("web.dir") != std::string::npos);
}

}  // namespace api_section_test
