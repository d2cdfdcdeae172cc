// The [storage] section of the configuration.
#include <doctest/doctest.h>

#include <string>

#include "engine/config/EngineConfig.hpp"
#include "engine/config/StorageSection.hpp"

using namespace ussdgw;
using namespace ussdgw::config;

namespace {
storage::StorageConfig parse(const std::string& text) {
    auto doc = parse_document(text, "test.toml");
    ConfigTable root = ConfigTable::root(doc);
    auto t = root.table("storage");
    REQUIRE(t.has_value());
    return parse_storage_section(*t);
}
std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("[storage] defaults") {
    auto c = parse("[storage]\n");
    CHECK(c.database_path == "var/ussdgw.db");
    CHECK(c.synchronous == storage::SyncMode::full);
    CHECK(c.password_sms_per_hour == 3);
    CHECK(c.password_sms_per_day == 10);
    CHECK(c.puk_max_wrong == 3);
}

TEST_CASE("[storage] every key") {
    auto c = parse(R"([storage]
database = "/tmp/x.db"
key_file = "/tmp/x.key"
synchronous = "normal"
group_commit_max_batch = 64
group_commit_max_delay = "2ms"
argon2_opslimit = 3
argon2_memlimit = 1048576
hash_workers = 4
hash_queue_limit = 50
password_length = 10
password_alphabet = "0123456789"
password_sms_text = "Password: {password}"
puk_max_wrong = 5
puk_lockout = "30m"
password_max_wrong = 4
password_lockout = "10m"
password_sms_per_hour = 2
password_sms_per_day = 6
tariff_plans = ["A", "B"]
puk_login_tariff_plans = ["B"]
outbox_max_attempts = 7
outbox_backoff_initial = "2s"
outbox_backoff_max = "5m"
outbox_claim_lease = "30s"
)");
    CHECK(c.database_path == "/tmp/x.db");
    CHECK(c.key_file == "/tmp/x.key");
    CHECK(c.synchronous == storage::SyncMode::normal);
    CHECK(c.group_commit_max_batch == 64);
    CHECK(c.group_commit_max_delay.count() == 2000);
    CHECK(c.argon2_opslimit == 3);
    CHECK(c.argon2_memlimit == 1048576);
    CHECK(c.hash_workers == 4);
    CHECK(c.hash_queue_limit == 50);
    CHECK(c.password_length == 10);
    CHECK(c.password_alphabet == "0123456789");
    CHECK(c.password_sms_text.at("ru") == "Password: {password}");
    CHECK(c.password_sms_text.at("en") == "Password: {password}");  // one text for all
    CHECK(c.puk_max_wrong == 5);
    CHECK(c.puk_lockout.count() == 1800);
    CHECK(c.password_max_wrong == 4);
    CHECK(c.password_lockout.count() == 600);
    CHECK(c.password_sms_per_hour == 2);
    CHECK(c.password_sms_per_day == 6);
    CHECK(c.tariff_plans == std::vector<std::string>{"A", "B"});
    CHECK(c.puk_login_tariff_plans == std::vector<std::string>{"B"});
    CHECK(c.outbox_max_attempts == 7);
    CHECK(c.outbox_backoff_initial.count() == 2000);
    CHECK(c.outbox_backoff_max.count() == 300000);
    CHECK(c.outbox_claim_lease.count() == 30000);
}

TEST_CASE("[storage] errors name file, line and key") {
    // outbox_link was removed (nothing read it): an old configuration is told so.
    CHECK(error_of("[storage]\noutbox_link = \"\"\n")
              .find("test.toml:2: key 'storage.outbox_link'") != std::string::npos);
    CHECK(error_of("[storage]\nsynchronous = \"off\"\n").find("test.toml:2") != std::string::npos);
    CHECK(error_of("[storage]\nsynchronous = \"off\"\n").find("storage.synchronous") !=
          std::string::npos);
    CHECK(error_of("[storage]\nargon2_memlimit = 100\n").find("storage.argon2_memlimit") !=
          std::string::npos);
    CHECK(error_of("[storage]\npassword_sms_text = \"no placeholder\"\n").find("{password}") !=
          std::string::npos);
    CHECK(error_of("[storage]\npassword_alphabet = \"aaaaaaaaaaaa\"\n")
              .find("storage.password_alphabet") != std::string::npos);
    CHECK(error_of("[storage]\ntariff_plans = [\"A\"]\npuk_login_tariff_plans = [\"B\"]\n")
              .find("'B' is not in tariff_plans") != std::string::npos);
    CHECK(error_of("[storage]\npassword_sms_per_hour = 5\npassword_sms_per_day = 2\n")
              .find("storage.password_sms_per_day") != std::string::npos);
    CHECK(error_of("[storage]\nunknown_key = 1\n").find("unknown_key") != std::string::npos);
}

TEST_CASE("[storage] password_sms_text per language; the default language is [menus]'s") {
    auto c = parse(R"([storage]
password_sms_text = { ru = "Пароль: {password}", en = "Password: {password}" }
)");
    CHECK(c.password_sms_text.size() == 2);
    CHECK(c.password_sms_text.at("en") == "Password: {password}");
    CHECK(error_of("[storage]\npassword_sms_text = { de = \"Passwort: {password}\" }\n")
              .find("storage.password_sms_text.de") != std::string::npos);
    CHECK(error_of("[storage]\npassword_sms_text = { en = \"no placeholder\" }\n")
              .find("storage.password_sms_text.en") != std::string::npos);
    // Defaults: ru, en and be.
    auto d = parse("[storage]\n");
    CHECK(d.password_sms_text.size() == 3);
    CHECK(d.password_sms_text.at("ru").find("Личный кабинет") != std::string::npos);

    auto engine = [](const std::string& text) {
        return parse_engine_config(parse_document(text, "test.toml"));
    };
    CHECK(engine("[menus]\ndefault_language = \"be\"\n").storage.sms_default_language == "be");
    CHECK(engine("").storage.sms_default_language == "ru");
    try {
        engine(
            "[menus]\ndefault_language = \"en\"\n[storage]\npassword_sms_text = { ru = "
            "\"{password}\" }\n");
        FAIL("no text in the default language must be refused");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).find("storage.password_sms_text") != std::string::npos);
        CHECK(std::string(e.what()).find("'en'") != std::string::npos);
    }
}

TEST_CASE("the outbox claim lease follows the longest response timeout of the SMS links") {
    auto engine = [](const std::string& text) {
        return parse_engine_config(parse_document(text, "test.toml"));
    };
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
    auto c = engine(link);
    CHECK(c.storage.outbox_claim_lease == std::chrono::seconds(20) + kClaimLeaseMargin);
    c = engine(link + "[storage]\noutbox_claim_lease = \"1m\"\n");
    CHECK(c.storage.outbox_claim_lease == std::chrono::minutes(1));  // an explicit longer one
    try {
        engine(link + "[storage]\noutbox_claim_lease = \"15s\"\n");
        FAIL("a lease shorter than the response timeout must be refused");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).find("test.toml:15") != std::string::npos);
        CHECK(std::string(e.what()).find("storage.outbox_claim_lease") != std::string::npos);
    }
    // The shipped configuration: 10 s response timeout, 15 s lease.
    auto shipped = load_engine_config(std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.toml");
    CHECK(shipped.storage.outbox_claim_lease == std::chrono::seconds(15));
}

TEST_CASE("the shipped conf/ussdgw.toml has a valid [storage] section") {
    auto cfg = load_engine_config(std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.toml");
    CHECK_FALSE(cfg.storage.database_path.empty());
    CHECK_FALSE(cfg.storage.tariff_plans.empty());
}
