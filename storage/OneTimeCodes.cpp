#include "storage/OneTimeCodes.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>

#include "storage/CabinetRules.hpp"
#include "storage/SessionStore.hpp"
#include "storage/SmsOutbox.hpp"

namespace ussdgw::storage {

namespace {
constexpr std::int64_t kHourMs = 3600 * 1000;

// The kinds a code of `purpose` competes with (a new one spends the live one).
const char* kind_clause(bool password_kind) {
    return password_kind ? "purpose IN ('register', 'recover')" : "purpose = 'step_up'";
}

std::optional<CodePurpose> purpose_from_text(std::string_view t) {
    if (t == "register") return CodePurpose::register_password;
    if (t == "recover") return CodePurpose::recover_password;
    if (t == "step_up") return CodePurpose::step_up;
    return std::nullopt;
}
}  // namespace

std::string_view to_text(CodePurpose p) {
    switch (p) {
        case CodePurpose::register_password:
            return "register";
        case CodePurpose::recover_password:
            return "recover";
        case CodePurpose::step_up:
            return "step_up";
    }
    return "step_up";
}

Secret generate_code() {
    if (sodium_init() < 0) std::abort();  // no usable random source
    return Secret(fmt::format("{:06}", randombytes_uniform(1000000)));
}

std::string OneTimeCodes::hash(Msisdn msisdn, std::string_view code) const {
    // The keyed hash of short secrets (the PUK1's), over a context no MSISDN can take.
    return key_.hash_puk("code:" + msisdn.text(), code);
}

Status OneTimeCodes::may_send(Msisdn msisdn, CodePurpose purpose, std::int64_t now_ms) {
    auto last = db_.query(std::string("SELECT max(created_at) FROM one_time_codes WHERE msisdn = "
                                      "? AND ") +
                          kind_clause(sets_password(purpose)));
    if (!last) return Failure{last.error()};
    last->bind(1, msisdn.number());
    auto row = last->step();
    if (!row) return Failure{row.error()};
    if (*row && !last->is_null(0)) {
        std::int64_t resend_at = last->int64(0) + policy_.resend_interval_ms;
        if (resend_at > now_ms) {
            Error e{rules::kSmsRateLimited, "a code was sent a moment ago"};
            e.until_ms = resend_at;
            return Failure{e};
        }
    }
    // The password SMS and the codes share the subscriber's limits.
    SmsOutbox outbox(db_, key_, OutboxPolicy{});
    int hour = 0, day = 0;
    for (const char* kind : {"password", "code"}) {
        auto h = outbox.count_since(msisdn, kind, now_ms - kHourMs);
        if (!h) return Failure{h.error()};
        auto d = outbox.count_since(msisdn, kind, now_ms - 24 * kHourMs);
        if (!d) return Failure{d.error()};
        hour += *h;
        day += *d;
    }
    if (auto st = rules::check_sms_rate(hour, day, policy_.sms_per_hour, policy_.sms_per_day);
        !st) {
        Error e = st.error();
        // When the window frees a slot is not tracked per message here: the hour is the
        // honest bound for the hourly limit, the day for the daily one.
        e.until_ms = now_ms + (hour >= policy_.sms_per_hour ? kHourMs : 24 * kHourMs);
        return Failure{e};
    }
    return ok_status();
}

Result<CodeStored> OneTimeCodes::store(Msisdn msisdn, CodePurpose purpose,
                                       std::optional<std::int64_t> session, const Secret& code,
                                       std::int64_t outbox_id, std::int64_t now_ms) {
    auto spend = db_.query(std::string("UPDATE one_time_codes SET spent_at = ?2 WHERE msisdn = ?1 "
                                       "AND spent_at IS NULL AND ") +
                           kind_clause(sets_password(purpose)));
    if (!spend) return Failure{spend.error()};
    spend->bind(1, msisdn.number()).bind(2, now_ms);
    if (auto st = spend->run(); !st) return Failure{st.error()};
    auto q = db_.query(
        "INSERT INTO one_time_codes (msisdn, purpose, session_id, code_hash, created_at, "
        "expires_at, outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!q) return Failure{q.error()};
    CodeStored out;
    out.expires_at_ms = now_ms + policy_.ttl_ms;
    out.resend_at_ms = now_ms + policy_.resend_interval_ms;
    q->bind(1, msisdn.number())
        .bind(2, to_text(purpose))
        .bind(4, hash(msisdn, code.reveal()))
        .bind(5, now_ms)
        .bind(6, out.expires_at_ms)
        .bind(7, outbox_id);
    if (session)
        q->bind(3, *session);
    else
        q->bind_null(3);
    if (auto st = q->run(); !st) return Failure{st.error()};
    out.id = db_.last_insert_rowid();
    return out;
}

Result<CodePurpose> OneTimeCodes::check(Msisdn msisdn, bool password_kind,
                                        std::optional<std::int64_t> session, const Secret& entry,
                                        std::int64_t now_ms) {
    auto q = db_.query(std::string("SELECT id, purpose, code_hash, failures FROM one_time_codes "
                                   "WHERE msisdn = ?1 AND spent_at IS NULL AND expires_at > ?2 "
                                   "AND (?3 IS NULL OR session_id = ?3) AND ") +
                       kind_clause(password_kind) + " ORDER BY id DESC LIMIT 1");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, now_ms);
    if (session)
        q->bind(3, *session);
    else
        q->bind_null(3);
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row) return fail("otp.expired", "no live code: ask for a new one");
    std::int64_t id = q->int64(0);
    auto purpose = purpose_from_text(q->view(1)).value_or(CodePurpose::step_up);
    bool right = same_secret(q->view(2), hash(msisdn, entry.reveal()));
    int failures = static_cast<int>(q->int64(3)) + (right ? 0 : 1);
    bool spent = right || failures >= policy_.max_tries;
    auto upd = db_.query("UPDATE one_time_codes SET failures = ?2, spent_at = ?3 WHERE id = ?1");
    if (!upd) return Failure{upd.error()};
    upd->bind(1, id).bind(2, failures);
    if (spent)
        upd->bind(3, now_ms);
    else
        upd->bind_null(3);
    if (auto st = upd->run(); !st) return Failure{st.error()};
    if (right) return purpose;
    Error e{"otp.wrong", "wrong code"};
    e.attempts_left = std::max(0, policy_.max_tries - failures);
    return Failure{e};
}

}  // namespace ussdgw::storage
