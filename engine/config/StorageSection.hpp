// The [storage] section: the SQLite file, durability (synchronous mode, group commit),
// Argon2id parameters and hash workers, passwords, lockouts, SMS rate limits, tariff plans
// and the SMS outbox retry policy. See conf/ussdgw.toml for every key.
#pragma once

#include "engine/config/ConfigReader.hpp"
#include "storage/StorageConfig.hpp"

namespace ussdgw::config {

storage::StorageConfig parse_storage_section(const ConfigTable& table);

}  // namespace ussdgw::config
