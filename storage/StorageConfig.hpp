// The settings of the storage layer, filled from the [storage] section of the config file
// by engine/config/StorageSection.cpp (storage itself never reads TOML).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ussdgw::storage {

enum class SyncMode { normal, full, extra };

struct StorageConfig {
    std::string database_path = "var/ussdgw.db";
    // Server secret (32 random bytes, created on first start) that keys the PUK1 hashes and
    // encrypts SMS bodies in the outbox. Kept outside the database file.
    std::string key_file = "var/storage.key";
    SyncMode synchronous = SyncMode::full;

    // Group commit: one writer thread puts up to `max_batch` writes into one transaction,
    // waiting at most `max_delay` after the first one for more to arrive.
    std::size_t group_commit_max_batch = 1024;
    std::chrono::microseconds group_commit_max_delay{0};

    // Argon2id (libsodium crypto_pwhash) for cabinet passwords.
    std::uint64_t argon2_opslimit = 2;
    std::size_t argon2_memlimit = 64 * 1024 * 1024;
    // Hash workers: at most this many hashes run at once (each holds `argon2_memlimit`).
    // SCHED_IDLE threads: their number is capacity on spare CPU, not a share of the loop's.
    std::size_t hash_workers = 2;
    // Hash requests waiting beyond this are refused at once with "storage.busy".
    std::size_t hash_queue_limit = 1000;
    // The longest a hash request may wait for a worker: refused at once ("storage.busy")
    // when its estimated wait is longer, not run when it waited longer. engine/config keeps
    // it within the USSD step deadlines (at most half the shortest; by default 2 s or that
    // half, whichever is shorter).
    std::chrono::milliseconds hash_max_wait{2000};
    // How much the hash workers back off while the engine is busy (HashPoolSettings::
    // duty_percent): after a hash that took t while the engine's other threads kept u cores
    // busy (u at most 1), a worker rests t * u * (100 - d) / d. SCHED_IDLE gives the loops
    // the CPU at once, but a running Argon2id still streams argon2_memlimit through the
    // shared caches and slows a hyperthread sibling (README, Benchmarks).
    unsigned hash_duty_percent = 25;
    // Not a file key: `ussdgw run` sets its own executable and "hash-worker" here, so that the
    // hash workers run Argon2id in child processes (storage/HashProcess). Empty: in-process.
    std::vector<std::string> hash_process{};

    std::size_t password_length = 8;
    std::string password_alphabet = "23456789abcdefghijkmnpqrstuvwxyz";
    // The SMS that carries a new password, per language (ru, en, be); "{password}" is
    // replaced. The subscriber's stored language chooses the text; without one, or without
    // a text in that language, the text of `sms_default_language` is sent (engine/config
    // sets it to [menus] default_language, the one owner of the default language).
    std::map<std::string, std::string> password_sms_text = {
        {"ru", "Пароль для входа в Личный кабинет: {password}"},
        {"en", "Password for the self-service cabinet: {password}"},
        {"be", "Пароль для ўваходу ў Асабісты кабінет: {password}"}};
    std::string sms_default_language = "ru";

    int puk_max_wrong = 3;
    std::chrono::seconds puk_lockout{std::chrono::hours(1)};
    int password_max_wrong = 5;
    std::chrono::seconds password_lockout{std::chrono::minutes(15)};
    int password_sms_per_hour = 3;
    int password_sms_per_day = 10;

    // Tariff plans whose subscribers may log in with PUK1 (SPEC 2.3).
    std::vector<std::string> puk_login_tariff_plans = {"Видеонаблюдение", "Спутниковый мониторинг",
                                                       "Интернет"};
    // Tariff plans known to provisioning; empty means any name is accepted.
    std::vector<std::string> tariff_plans;

    // SMS outbox: retries with exponential backoff, then the message fails.
    int outbox_max_attempts = 10;
    std::chrono::milliseconds outbox_backoff_initial{std::chrono::seconds(5)};
    std::chrono::milliseconds outbox_backoff_max{std::chrono::minutes(10)};
    // A claimed message not reported back within this time is claimed again (after a
    // crash mid-send). engine/config derives it from the SMS links' response timeout (a
    // little over the longest) unless [storage] outbox_claim_lease sets a longer one.
    std::chrono::milliseconds outbox_claim_lease{std::chrono::seconds(15)};
};

}  // namespace ussdgw::storage
