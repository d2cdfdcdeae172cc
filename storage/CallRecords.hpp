// Call details (table call_records), imported by the operator from its billing with
// `ussdgw calls import FILE.csv` and read by the subscriber after a step-up (SPEC 2.9).
// Columns, in this order (the conventions of storage/CsvFields.hpp; idempotent: a record
// already present, same number, start, direction and other party, is left unchanged):
//   msisdn,started_at,direction,other_party,duration,cost
//   375291000001,2026-11-20T10:15:00Z,out,375291000002,125,0.35
// started_at: UTC as YYYY-MM-DDTHH:MM:SSZ; direction: out | in | sms_out | sms_in | data;
// other_party: 1 to 32 characters; duration: seconds; cost: roubles with up to 2 decimals.
// The number must be a subscriber. All or nothing unless `partial`.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "storage/Database.hpp"
#include "storage/SubscriberImport.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

struct CallRecord {
    std::int64_t id = 0;
    Msisdn msisdn = Msisdn::from_number(0);
    std::int64_t started_at_ms = 0;
    std::string direction;
    std::string other_party;
    std::int64_t duration_s = 0;
    std::int64_t cost_minor = 0;
};

// "2026-11-20T10:15:00Z" -> ms since the epoch; nullopt when malformed.
std::optional<std::int64_t> parse_utc_time(std::string_view text);

Result<CallRecord> parse_call_line(std::string_view line);

class CallRecords {
  public:
    explicit CallRecords(Database& db) : db_(db) {}
    // Newest first; `before` is the id of the last record of the previous page (0: first).
    Result<std::vector<CallRecord>> page(Msisdn msisdn, std::int64_t before, int limit);
    // One transaction; bad lines are in the summary (`inserted`, `unchanged`, `rejected`).
    Result<ImportSummary> import(std::istream& in, const ImportOptions& options);

  private:
    Database& db_;
};

}  // namespace ussdgw::storage
