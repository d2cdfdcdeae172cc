// The [storage] section: the SQLite file, durability (synchronous mode, group commit),
// Argon2id parameters and hash workers, passwords, lockouts, SMS rate limits, tariff plans
// and the SMS outbox retry policy. See conf/ussdgw.toml for every key.
#pragma once

#include "engine/base/TomlReader.hpp"
#include "storage/StorageConfig.hpp"

namespace ussdgw::config {

storage::StorageConfig parse_storage_section(const TomlTable& table);

}  // namespace ussdgw::config
