// The [storage] section of the configuration.
#include "engine/config/StorageSection.hpp"

#include <doctest/doctest.h>

#include <string>

#include "engine/config/ConfigTestSupport.hpp"
#include "engine/config/EngineConfig.hpp"

namespace storage_section_test {

using namespace ussdgw;
using namespace ussdgw::config;

namespace {
storage::StorageConfig parse(const std::string& text) {
    auto doc = parse_toml(text, "test.toml");
    TomlTable root = TomlTable::root(doc);
    auto t = root.table("storage");
    REQUIRE(t.has_value());
    return parse_storage_section(*t);
}
std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const TomlError& e) {
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
    CHECK(c.hash_duty_percent == 25);
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
hash_max_wait = "750ms"
hash_duty_percent = 30
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
    CHECK(c.hash_max_wait.count() == 750);
    CHECK(c.hash_duty_percent == 30);
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
    CHECK(error_of("[storage]\nhash_duty_percent = 0\n")
              .find("test.toml:2: key 'storage.hash_duty_percent'") != std::string::npos);
    CHECK(error_of("[storage]\nunknown_key = 1\n").find("unknown_key") != std::string::npos);
}

TEST_CASE("[storage] password_sms_text per language") {
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
}

TEST_CASE("the shipped conf/ussdgw.toml has a valid [storage] section") {
    auto cfg = load_engine_config(std::string(USSDGW_SOURCE_DIR) + "/conf/ussdgw.toml");
    CHECK_FALSE(cfg.storage.database_path.empty());
    CHECK_FALSE(cfg.storage.tariff_plans.empty());
}

TEST_CASE("hash_max_wait stays within the USSD step deadlines") {
    using namespace std::chrono_literals;
    using test::config_error_of;
    using test::parse_config;
    // Default: 2 s, or half the shortest step deadline when that is shorter.
    CHECK(parse_config("").storage.hash_max_wait == 2s);
    CHECK(parse_config("[menus]\nstep_timeout = \"3s\"\n").storage.hash_max_wait == 1500ms);
    const std::string http =
        "[http]\nenabled = true\n[ussd]\n[[ussd.http]]\nname = \"agg\"\n"
        "allowed_addresses = [\"127.0.0.1\"]\nstep_deadline = \"1s\"\n";
    CHECK(parse_config(http).storage.hash_max_wait == 500ms);
    // Set: at most that half, the error naming file, line, key and the deadline it serves.
    CHECK(parse_config("[storage]\nhash_max_wait = \"15s\"\n").storage.hash_max_wait == 15s);
    CHECK(config_error_of("[menus]\nstep_timeout = \"10s\"\n[storage]\nhash_max_wait = "
                          "\"6s\"\n") ==
          "conf/t.toml:4: key 'storage.hash_max_wait': must be at most half the shortest USSD "
          "step deadline, the [menus] step_timeout (10000 ms): at most 5000 ms");
    CHECK(config_error_of(http + "[storage]\nhash_max_wait = \"600ms\"\n")
              .find("step_deadline of [[ussd.http]] 'agg' (1000 ms)") != std::string::npos);
    CHECK(config_error_of("[storage]\nhash_max_wait = \"5ms\"\n").find("storage.hash_max_wait") !=
          std::string::npos);
}

}  // namespace storage_section_test
