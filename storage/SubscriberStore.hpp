// Typed access to the subscribers and clients tables over one connection: lookups for the
// menus and the CLI, provisioning upserts, and the cabinet columns (password hash, access
// state, wrong-attempt counters) that CabinetService changes inside group-commit batches.
// Secrets leave this class only as hashes, and only through `secrets()`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/CabinetRules.hpp"
#include "storage/Database.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

enum class UpsertOutcome { inserted, updated, unchanged };

struct StoredSecrets {
    std::string puk_hash;       // "" when no PUK1 is on file
    std::string password_hash;  // "" when no password was issued
};

class SubscriberStore {
  public:
    // `puk_login_plans` decides CabinetState::puk_login_allowed.
    SubscriberStore(Database& db, const std::vector<std::string>& puk_login_plans)
        : db_(db), puk_plans_(puk_login_plans) {}

    Result<std::optional<SubscriberRecord>> find(Msisdn msisdn);
    // The record, or "not_found".
    Result<SubscriberRecord> get(Msisdn msisdn);
    Result<StoredSecrets> secrets(Msisdn msisdn);

    // Client kinds never change silently: a conflicting kind is "client.kind_conflict".
    Status upsert_client(const std::string& id, ClientKind kind);
    // Provisioning columns only; cabinet state is kept. `puk_hash` replaces the stored one.
    Result<UpsertOutcome> upsert(const Subscriber& s, const std::string& puk_hash,
                                 std::int64_t now_ms);

    Status set_password_hash(Msisdn msisdn, const std::string& hash, std::int64_t now_ms);
    Status set_access(Msisdn msisdn, std::optional<ClosedBy> closed_by, std::int64_t now_ms);
    Status set_puk_counter(Msisdn msisdn, const rules::AttemptCounter& c, std::int64_t now_ms);
    Status set_password_counter(Msisdn msisdn, const rules::AttemptCounter& c, std::int64_t now_ms);
    Result<std::int64_t> count();

  private:
    Database& db_;
    const std::vector<std::string>& puk_plans_;
};

}  // namespace ussdgw::storage
