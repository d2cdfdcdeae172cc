// One-time SMS codes (table one_time_codes): 6 random digits sent by SMS to register or
// recover the cabinet password, or to elevate a session for call details (step-up). A code
// is stored only as a keyed hash (10^6 values: an unkeyed hash would be reversed at once),
// lives a few minutes, allows a few tries, and is spent by its first right entry. A new code
// replaces the live one of the same kind. Sending counts in the subscriber's SMS limits
// together with the password SMS, with a minimum interval between two codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/base/Secret.hpp"
#include "storage/Database.hpp"
#include "storage/StorageKey.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

enum class CodePurpose { register_password, recover_password, step_up };
std::string_view to_text(CodePurpose p);  // "register", "recover", "step_up"

// Codes that set a password (register and recover) are one kind: the reset checks the
// latest of them. Step-up codes are another, bound to a session.
inline bool sets_password(CodePurpose p) {
    return p != CodePurpose::step_up;
}

struct CodePolicy {
    std::int64_t ttl_ms = 5 * 60 * 1000;
    int max_tries = 3;
    std::int64_t resend_interval_ms = 60 * 1000;
    int sms_per_hour = 3;  // with the password SMS (storage.password_sms_per_hour)
    int sms_per_day = 10;
};

// 6 random digits.
Secret generate_code();

struct CodeStored {
    std::int64_t id = 0;
    std::int64_t expires_at_ms = 0;
    std::int64_t resend_at_ms = 0;
};

class OneTimeCodes {
  public:
    OneTimeCodes(Database& db, const StorageKey& key, const CodePolicy& policy)
        : db_(db), key_(key), policy_(policy) {}

    // May a code of this kind be sent now? "sms.rate_limited" with `until_ms` when the
    // interval since the last code, or the hourly or daily SMS limit, says no.
    Status may_send(Msisdn msisdn, CodePurpose purpose, std::int64_t now_ms);
    // Stores the code (its hash) and spends the live code of the same kind.
    Result<CodeStored> store(Msisdn msisdn, CodePurpose purpose,
                             std::optional<std::int64_t> session, const Secret& code,
                             std::int64_t outbox_id, std::int64_t now_ms);
    // Checks an entry against the live code of the kind (for step-up, of that session).
    // Right: the code is spent and its purpose returned. "otp.wrong" (attempts_left; the
    // last wrong try spends the code) or "otp.expired" (none live, also when none was sent).
    Result<CodePurpose> check(Msisdn msisdn, bool password_kind,
                              std::optional<std::int64_t> session, const Secret& entry,
                              std::int64_t now_ms);

  private:
    std::string hash(Msisdn msisdn, std::string_view code) const;

    Database& db_;
    const StorageKey& key_;
    CodePolicy policy_;
};

}  // namespace ussdgw::storage
