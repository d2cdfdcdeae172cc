// engine/config/EngineConfig: the sections together: unknown sections and keys, the
// settings derived across sections (the SMS language, the outbox claim lease), the shipped file.
#include "engine/config/EngineConfig.hpp"

#include <doctest/doctest.h>

#include "engine/config/ConfigTestSupport.hpp"

namespace engine_config_test {

using namespace ussdgw;
using namespace ussdgw::config;

using ussdgw::test::parse_config;

namespace {
std::string error_of(std::string_view text) {
    return ussdgw::test::config_error_of(text);
}
}  // namespace

TEST_CASE("an unknown key names file, line and dotted key") {
    CHECK(error_of("[log]\nlevel = \"info\"\nlevle = \"debug\"\n") ==
          "conf/t.toml:3: key 'log.levle': unknown key");
    CHECK(error_of("\n\n[nosuchsection]\nx = 1\n") ==
          "conf/t.toml:3: key 'nosuchsection': unknown key");
}

TEST_CASE("a bad value names the key and the allowed values") {
    CHECK(error_of("[log]\nlevel = \"loud\"\n") ==
          "conf/t.toml:2: key 'log.level': 'loud' is not one of: debug, info, warn, error, off");
    CHECK(error_of("[log]\nlevel = 3\n") == "conf/t.toml:2: key 'log.level': must be a string");
}

TEST_CASE("the SMS default language is [menus]'s; [storage] must have a text in it") {
    CHECK(parse_config("[menus]\ndefault_language = \"be\"\n").storage.sms_default_language ==
          "be");
    CHECK(parse_config("").storage.sms_default_language == "ru");
    try {
        parse_config(
            "[menus]\ndefault_language = \"en\"\n[storage]\npassword_sms_text = { ru = "
            "\"{password}\" }\n");
        FAIL("no text in the default language must be refused");
    } catch (const TomlError& e) {
        CHECK(std::string(e.what()).find("storage.password_sms_text") != std::string::npos);
        CHECK(std::string(e.what()).find("'en'") != std::string::npos);
    }
}

TEST_CASE("the outbox claim lease follows the longest response timeout of the SMS links") {
    const std::string link = R"([[smpp.client]]
name = "smsc"
host = "127.0.0.1"
port = 2775
system_id = "ussdgw"
password = "ussdgw"
response_timeout = "20s"
roles = ["sms"]
[[smpp.client]]
name = "ussd-only"
system_id = "ussdgw"
response_timeout = "40s"
roles = ["ussd"]
)";
    auto c = parse_config(link);
    CHECK(c.storage.outbox_claim_lease == std::chrono::seconds(20) + kClaimLeaseMargin);
    c = parse_config(link + "[storage]\noutbox_claim_lease = \"1m\"\n");
    CHECK(c.storage.outbox_claim_lease == std::chrono::minutes(1));  // an explicit longer one
    try {
        parse_config(link + "[storage]\noutbox_claim_lease = \"15s\"\n");
        FAIL("a lease shorter than the response timeout must be refused");
    } catch (const TomlError& e) {
        CHECK(std::string(e.what()).find("conf/t.toml:15") != std::string::npos);
        CHECK(std::string(e.what()).find("storage.outbox_claim_lease") != std::string::npos);
    }
    // The shipped configuration: 10 s response timeout, 15 s lease.
    auto shipped = load_engine_config(std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.toml");
    CHECK(shipped.storage.outbox_claim_lease == std::chrono::seconds(15));
}

TEST_CASE("the shipped configuration is valid") {
    auto cfg = load_engine_config(USSDGW_SOURCE_DIR "/conf/ussdgw.toml");
    CHECK(cfg.file.find("ussdgw.toml") != std::string::npos);
}

}  // namespace engine_config_test
