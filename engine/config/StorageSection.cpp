#include "engine/config/StorageSection.hpp"

#include <sodium.h>

#include <algorithm>
#include <set>

namespace ussdgw::config {

storage::StorageConfig parse_storage_section(const TomlTable& t) {
    using std::chrono::milliseconds;
    using namespace std::chrono_literals;
    storage::StorageConfig c;
    c.database_path = t.string("database", c.database_path);
    if (c.database_path.empty()) t.fail("database", "must not be empty");
    c.key_file = t.string("key_file", c.key_file);
    if (c.key_file.empty()) t.fail("key_file", "must not be empty");
    std::string sync = t.choice("synchronous", {"normal", "full", "extra"}, "full");
    c.synchronous = sync == "normal"  ? storage::SyncMode::normal
                    : sync == "extra" ? storage::SyncMode::extra
                                      : storage::SyncMode::full;

    c.group_commit_max_batch = static_cast<std::size_t>(t.integer(
        "group_commit_max_batch", static_cast<std::int64_t>(c.group_commit_max_batch), 1, 100000));
    c.group_commit_max_delay = std::chrono::duration_cast<std::chrono::microseconds>(
        t.duration("group_commit_max_delay",
                   std::chrono::duration_cast<milliseconds>(c.group_commit_max_delay), 0ms, 1s));

    c.argon2_opslimit = static_cast<std::uint64_t>(
        t.integer("argon2_opslimit", static_cast<std::int64_t>(c.argon2_opslimit),
                  static_cast<std::int64_t>(crypto_pwhash_argon2id_OPSLIMIT_MIN), 64));
    c.argon2_memlimit = static_cast<std::size_t>(
        t.integer("argon2_memlimit", static_cast<std::int64_t>(c.argon2_memlimit),
                  static_cast<std::int64_t>(crypto_pwhash_argon2id_MEMLIMIT_MIN),
                  std::int64_t{4} * 1024 * 1024 * 1024));
    c.hash_workers = static_cast<std::size_t>(
        t.integer("hash_workers", static_cast<std::int64_t>(c.hash_workers), 1, 64));
    c.hash_queue_limit = static_cast<std::size_t>(
        t.integer("hash_queue_limit", static_cast<std::int64_t>(c.hash_queue_limit), 1, 1000000));
    // Checked against the USSD step deadlines (and defaulted from them) in engine/config/
    // EngineConfig.cpp, which sees [menus] and [[ussd.http]] too.
    c.hash_max_wait = t.duration("hash_max_wait", c.hash_max_wait, 10ms, 60s);
    c.hash_duty_percent = static_cast<unsigned>(
        t.integer("hash_duty_percent", static_cast<std::int64_t>(c.hash_duty_percent), 1, 100));

    c.password_length = static_cast<std::size_t>(
        t.integer("password_length", static_cast<std::int64_t>(c.password_length), 6, 64));
    c.password_alphabet = t.string("password_alphabet", c.password_alphabet);
    {
        std::set<char> distinct(c.password_alphabet.begin(), c.password_alphabet.end());
        if (distinct.size() < 10 || distinct.size() != c.password_alphabet.size())
            t.fail("password_alphabet", "needs at least 10 distinct characters, no repeats");
        if (std::any_of(c.password_alphabet.begin(), c.password_alphabet.end(), [](char ch) {
                return static_cast<unsigned char>(ch) < 0x21 ||
                       static_cast<unsigned char>(ch) > 0x7e;
            }))
            t.fail("password_alphabet", "only printable ASCII characters (no spaces)");
    }
    if (!t.is_table("password_sms_text")) {
        // One text for every language.
        if (auto text = t.optional_string("password_sms_text")) {
            if (text->find("{password}") == std::string::npos)
                t.fail("password_sms_text", "must contain {password}");
            for (auto& [language, each] : c.password_sms_text)
                each = *text;
        }
    } else if (auto texts = t.table("password_sms_text")) {
        c.password_sms_text.clear();
        for (const char* language : {"ru", "en", "be"}) {
            auto text = texts->optional_string(language);
            if (!text) continue;
            if (text->find("{password}") == std::string::npos)
                texts->fail(language, "must contain {password}");
            c.password_sms_text[language] = *text;
        }
        texts->finish();
        if (c.password_sms_text.empty())
            t.fail("password_sms_text", "needs a text for at least one of ru, en, be");
    }

    c.puk_max_wrong = static_cast<int>(t.integer("puk_max_wrong", c.puk_max_wrong, 1, 100));
    c.puk_lockout = std::chrono::duration_cast<std::chrono::seconds>(
        t.duration("puk_lockout", c.puk_lockout, 1s, milliseconds(std::chrono::hours(24 * 30))));
    c.password_max_wrong =
        static_cast<int>(t.integer("password_max_wrong", c.password_max_wrong, 1, 100));
    c.password_lockout = std::chrono::duration_cast<std::chrono::seconds>(t.duration(
        "password_lockout", c.password_lockout, 1s, milliseconds(std::chrono::hours(24 * 30))));
    c.password_sms_per_hour =
        static_cast<int>(t.integer("password_sms_per_hour", c.password_sms_per_hour, 1, 1000));
    c.password_sms_per_day =
        static_cast<int>(t.integer("password_sms_per_day", c.password_sms_per_day, 1, 10000));
    if (c.password_sms_per_day < c.password_sms_per_hour)
        t.fail("password_sms_per_day", "must not be lower than password_sms_per_hour");

    c.tariff_plans = t.string_list("tariff_plans", c.tariff_plans);
    c.puk_login_tariff_plans = t.string_list("puk_login_tariff_plans", c.puk_login_tariff_plans);
    if (!c.tariff_plans.empty())
        for (const auto& p : c.puk_login_tariff_plans)
            if (std::find(c.tariff_plans.begin(), c.tariff_plans.end(), p) == c.tariff_plans.end())
                t.fail("puk_login_tariff_plans", "'" + p + "' is not in tariff_plans");

    c.outbox_max_attempts =
        static_cast<int>(t.integer("outbox_max_attempts", c.outbox_max_attempts, 1, 1000));
    c.outbox_backoff_initial =
        t.duration("outbox_backoff_initial", c.outbox_backoff_initial, 100ms, 1h);
    c.outbox_backoff_max = t.duration("outbox_backoff_max", c.outbox_backoff_max, 100ms, 24h);
    if (c.outbox_backoff_max < c.outbox_backoff_initial)
        t.fail("outbox_backoff_max", "must not be shorter than outbox_backoff_initial");
    c.outbox_claim_lease = t.duration("outbox_claim_lease", c.outbox_claim_lease, 1s, 1h);
    if (t.has("outbox_link"))
        t.fail("outbox_link",
               "was removed: SMS leave on every [[smpp.client]] with \"sms\" in its roles and "
               "every [[smpp.server.account]] with outgoing_sms = true");
    t.finish();
    return c;
}

}  // namespace ussdgw::config
