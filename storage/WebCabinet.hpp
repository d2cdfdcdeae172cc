// The cabinet API's domain actions on storage (SPEC 2 rules 3, 5-10): the web login with the
// password or PUK1 that opens a session, sessions (found, touched, ended), one-time SMS
// codes for registration, recovery and step-up, password changes, service requests and their
// application, call details, the organisation's and the operator's views. Like
// CabinetService (which it uses for access changes), every change runs in a group-commit
// batch and `done` runs through the Post only after the COMMIT; lookups run on this class's
// own read connection, on the thread that owns it (the engine's loop). Argon2id work runs on
// the hash pool, never on that thread.
//
// A change made on behalf of a session checks, inside its write transaction, that the
// session is still live: when it ended first (logout, lifetime, a password change or a
// closing by any path), nothing is written ("request.annulled"), the not-after rule the USSD
// dialogues follow. Refusals are Errors with stable codes; their data (tries left, the end of
// a lockout or of a rate limit) is in the Error's fields.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/Secret.hpp"
#include "storage/AuditLog.hpp"
#include "storage/CabinetService.hpp"
#include "storage/CallRecords.hpp"
#include "storage/OneTimeCodes.hpp"
#include "storage/ServiceRequests.hpp"
#include "storage/SessionStore.hpp"
#include "storage/SmsOutbox.hpp"
#include "storage/Storage.hpp"
#include "storage/SubscriberImport.hpp"

namespace ussdgw::storage {

// What the cabinet API's configuration tells storage.
struct WebPolicy {
    std::int64_t session_lifetime_ms = 12 * 3600 * 1000LL;
    int max_sessions = 10;
    CodePolicy codes;
    std::int64_t step_up_ms = 10 * 60 * 1000;
    std::int64_t apply_delay_ms = 3600 * 1000;
    // Code SMS texts by purpose (register, recover, step_up) and language; "{code}" is
    // replaced. `default_language` picks the text when the subscriber has none.
    std::function<std::string(CodePurpose, const std::string& language)> code_text;
};

// A live session with its subscriber, as a request finds it.
struct SessionContext {
    WebSession session;
    SubscriberRecord record;
};

struct LoginAttempt {
    Msisdn msisdn = Msisdn::from_number(0);
    bool by_puk = false;
    Secret secret;
    std::string source;
};

struct SessionGranted {
    std::string token;  // the only time it exists in clear
    WebSession session;
    SubscriberRecord record;
};

// One page of a list; `next` is the cursor of the next page (nullopt on the last one).
template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<std::int64_t> next;
};

struct OrgFilter {
    std::string prefix;               // digits the MSISDN starts with
    std::optional<bool> access_open;  // only open or only closed
    std::int64_t after = 0;           // the last MSISDN of the previous page
    int limit = 50;
};

struct SmsRecord {
    std::int64_t id = 0;
    std::string kind;
    OutboxState state = OutboxState::pending;
    int attempts = 0, parts = 0, parts_delivered = 0;
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    std::string last_error;
};

class WebCabinet {
  public:
    // Opens its own read connection on `storage`'s database. Throws nothing: check `open()`.
    WebCabinet(Storage& storage, WebPolicy policy, Post post);
    ~WebCabinet();
    Status open();

    const WebPolicy& policy() const { return policy_; }
    std::int64_t now() const;

    // --- sessions ---------------------------------------------------------------------
    // The session of a token hash with its subscriber: nullopt when unknown.
    Result<std::optional<SessionContext>> find_session(std::string_view token_hash);
    // Records activity (no answer awaited).
    void touch(std::int64_t session_id, std::int64_t seen_at_ms, std::function<void()> written);
    void end_session(std::int64_t session_id, std::string reason, Done<bool> done);
    // Live sessions last seen before `seen_before_ms` or past their lifetime.
    Result<std::vector<WebSession>> stale_sessions(std::int64_t seen_before_ms, int limit);
    // Ends a session if it is still unseen since `seen_before_ms` ("idle"), or past its end.
    void end_if_stale(std::int64_t session_id, std::int64_t seen_before_ms, Done<bool> done);
    // Deletes sessions ended more than `keep_ms` ago.
    void purge_sessions(std::int64_t keep_ms, Done<int> done);

    // --- login and passwords ----------------------------------------------------------
    // "login.unknown" (not a subscriber; answered by the caller like a wrong password),
    // "password.wrong" (attempts_left), "password.locked" (until_ms), and only to a caller
    // whose credential was right: "puk.login_not_allowed", "access.closed_*".
    void login(LoginAttempt attempt, Done<SessionGranted> done);
    // Sends a code by SMS (through the outbox). "not_found" for an unknown number and
    // "access.closed_*", "service.suspended" when no code may be sent (the caller answers
    // those like a success), "sms.rate_limited" (until_ms).
    void send_code(Msisdn msisdn, CodePurpose purpose, std::optional<std::int64_t> session,
                   Done<CodeStored> done);
    // Registration and recovery: the code, then the new password (hashed on the pool), then
    // a session. "otp.wrong" (attempts_left), "otp.expired", "access.closed_*",
    // "service.suspended".
    void reset_password(Msisdn msisdn, Secret code, Secret password, std::string source,
                        Done<SessionGranted> done);
    // The current password is checked (counted like a login) unless `current` is empty.
    // Every session of the subscriber ends (the schema's trigger).
    void change_password(const SessionContext& ctx, std::optional<Secret> current, Secret next,
                         Done<Ok> done);
    // Elevates the session with a step-up code: until when.
    void step_up(const SessionContext& ctx, Secret code, Done<std::int64_t> done);

    // --- the subscriber's own data ------------------------------------------------------
    Result<Page<AuditEntry>> audit(Msisdn msisdn, std::int64_t before, int limit);
    Result<Page<CallRecord>> calls(Msisdn msisdn, std::int64_t before, int limit);
    void close_own_access(const SessionContext& ctx, Done<Ok> done);

    // --- service requests -------------------------------------------------------------
    Result<std::vector<ConnectedService>> connected_services(Msisdn msisdn);
    Result<Page<ServiceRequest>> service_requests(Msisdn msisdn, std::int64_t before, int limit);
    Result<ServiceRequest> service_request(Msisdn msisdn, std::int64_t id);
    void create_request(const SessionContext& ctx, std::string service, ServiceAction action,
                        std::int64_t price, Done<ServiceRequest> done);
    void confirm_request(const SessionContext& ctx, std::int64_t id, Done<ServiceRequest> done);
    void cancel_request(const SessionContext& ctx, std::int64_t id, Done<ServiceRequest> done);
    // The scheduler: when the next pending request is due, and applying what is due.
    Result<std::optional<std::int64_t>> next_due();
    void apply_due(int limit, Done<int> done);

    // --- administrators and supervisors ------------------------------------------------
    // The client's subscribers (the manager's own client only).
    Result<Page<SubscriberRecord>> client_subscribers(const std::string& client_id,
                                                      const OrgFilter& filter);
    // A subscriber as the manager may see it: "not_found" for another client's number.
    Result<SubscriberRecord> managed(const SessionContext& manager, Msisdn target);
    void manager_set_access(const SessionContext& manager, Msisdn target, bool open,
                            Done<SubscriberRecord> done);

    // --- the operator's staff ---------------------------------------------------------
    Result<std::optional<SubscriberRecord>> subscriber(Msisdn msisdn);
    // Creates or updates (cabinet state is kept; without `puk` the stored PUK1 is kept, and
    // creating needs one): whether it was created.
    void put_subscriber(Subscriber s, std::optional<Secret> puk, std::string staff,
                        Done<bool> done);
    void set_puk_login(Msisdn msisdn, bool enabled, std::string staff, Done<Ok> done);
    void staff_close(Msisdn msisdn, ClosedBy reason, std::string staff, Done<Ok> done);
    void staff_open(Msisdn msisdn, std::string staff, Done<Ok> done);
    Result<Page<SmsRecord>> sms(Msisdn msisdn, std::int64_t before, int limit);
    void import_subscribers(std::string csv, bool partial, Done<ImportSummary> done);

  private:
    // A change in the next batch: refusals keep what they wrote (counters, audit), storage
    // failures roll it back.
    template <typename T>
    void change(std::function<Result<T>(Database&)> work, Done<T> done);
    // The same for a change made on behalf of a live session (see the header comment).
    template <typename T>
    void session_change(std::int64_t session_id, std::function<Result<T>(Database&)> work,
                        Done<T> done);
    static Status session_live(Database& db, std::int64_t id, std::int64_t now);
    // The subscriber's record, or kNotFound.
    static Result<SubscriberRecord> must_find(Database& db, const StorageConfig& cfg, Msisdn m);
    void finish_login(LoginAttempt attempt, bool matched, Done<SessionGranted> done);
    Result<SessionGranted> open_session(Database& db, Msisdn msisdn, const std::string& method,
                                        const std::string& source, std::int64_t now);

    Storage& storage_;
    WebPolicy policy_;
    Post post_;
    // The read connection in the loop's shared snapshot (SharedReads).
    Database& reader() { return reads_->connection(); }

    std::unique_ptr<Database> reader_;
    std::unique_ptr<SharedReads> reads_;  // over reader_, renewed by the storage's commits
    // An Argon2id hash of a random secret: verified against when a number is unknown or has
    // no password, so that the answer takes the time a real check takes.
    std::string dummy_hash_;
};

template <typename T>
void WebCabinet::change(std::function<Result<T>(Database&)> work, Done<T> done) {
    storage_.committer().template submit_change<T>(std::move(work), post_, std::move(done));
}

template <typename T>
void WebCabinet::session_change(std::int64_t session_id, std::function<Result<T>(Database&)> work,
                                Done<T> done) {
    change<T>(
        [this, session_id, work = std::move(work)](Database& db) -> Result<T> {
            if (auto st = session_live(db, session_id, now()); !st) return Failure{st.error()};
            return work(db);
        },
        std::move(done));
}

}  // namespace ussdgw::storage
