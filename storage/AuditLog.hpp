// The audit log (SPEC 2.10): every change of access or password, and every access check
// that matters (PUK1 and password attempts), with who acted, through which channel, when.
// Entries are appended in the same transaction as the change they describe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/Database.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

struct AuditEntry {
    std::int64_t at_ms = 0;
    Msisdn msisdn = Msisdn::from_number(0);
    std::string action;  // "password.issued", "access.closed", "access.opened", "puk.wrong", ...
    Actor actor;
    Channel channel = Channel::ussd;
    std::string detail;   // never a secret
    std::int64_t id = 0;  // set when read back
};

class AuditLog {
  public:
    explicit AuditLog(Database& db) : db_(db) {}
    Status append(const AuditEntry& e);
    // Newest first.
    Result<std::vector<AuditEntry>> recent(Msisdn msisdn, int limit);
    // Newest first, entries with ids below `before` (0: from the newest): one page.
    Result<std::vector<AuditEntry>> page(Msisdn msisdn, std::int64_t before, int limit);

  private:
    Database& db_;
};

}  // namespace ussdgw::storage
