// Provisioning import: subscribers from a CSV file, upserted idempotently (importing the
// same file twice changes nothing; cabinet state such as passwords and access is kept).
// Columns, in this order (a first line starting with "msisdn" is a header; lines starting
// with '#' and blank lines are skipped):
//   msisdn,client_id,client_kind,role,tariff_plan,puk1,puk_login,service_state,payment,balance
//   375291234567,C1001,individual,subscriber,Комфорт,12345678,no,active,prepaid,12.50
// client_kind: individual | legal_entity; role: subscriber | supervisor | administrator
// (administrator only for legal_entity); puk1: 8 digits in clear (stored as a keyed hash);
// puk_login: yes | no (PUK1 login enabled individually); service_state: active | suspended;
// payment: prepaid | postpaid; balance: roubles with up to 2 decimals.
// By default the import is all or nothing: any bad line is reported and nothing is written.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/Secret.hpp"
#include "storage/Database.hpp"
#include "storage/StorageConfig.hpp"
#include "storage/StorageKey.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

struct ImportRow {
    Subscriber subscriber;
    Secret puk;
};

// The field rules every subscriber obeys however it arrives (this import, the staff's JSON
// through the API): the Error's code names the field ("client_id", "tariff_plan", ...).
// The role against the client kind is rules::check_role.
Status check_client_id(const std::string& id);
Status check_tariff_plan(const std::string& plan, const StorageConfig& cfg);
Status check_language(const std::string& lang);
bool is_puk1(std::string_view text);  // exactly 8 digits

// Parses one data line; errors name the column ("msisdn '+3752...' is not ...").
Result<ImportRow> parse_import_line(std::string_view line, const StorageConfig& cfg);

struct ImportLineError {
    std::size_t line = 0;
    std::string message;
};

struct ImportSummary {
    std::size_t rows = 0;  // data lines seen
    std::size_t inserted = 0;
    std::size_t updated = 0;
    std::size_t unchanged = 0;
    std::size_t rejected = 0;
    bool written = false;                 // false: nothing was written (errors without `partial`)
    std::vector<ImportLineError> errors;  // the first 1000
};

struct ImportOptions {
    bool partial = false;  // write the good lines even when some lines are bad
};

// The import's writes: a transaction of its own (BEGIN IMMEDIATE), or a savepoint when the
// caller's transaction is open (the API's upload runs in a group-commit batch). Rolled back
// unless committed.
class WriteScope {
  public:
    explicit WriteScope(Database& db);
    ~WriteScope();
    WriteScope(const WriteScope&) = delete;
    WriteScope& operator=(const WriteScope&) = delete;
    const Status& begun() const { return begun_; }
    Status commit();

  private:
    Database& db_;
    Status begun_ = ok_status();
    bool nested_ = false;
    bool open_ = false;
};

// Reads `in` and upserts in one transaction (or savepoint, see WriteScope). A storage failure is a
// failed Result; bad lines are in the summary.
Result<ImportSummary> import_subscribers(Database& db, const StorageKey& key,
                                         const StorageConfig& cfg, std::istream& in,
                                         const ImportOptions& options, std::int64_t now_ms);

}  // namespace ussdgw::storage
