// The cabinet's domain actions as the menus and the HTTP API call them: look up the access
// state, issue a password, verify PUK1, open and close access (by the subscriber, by an
// administrator or supervisor of its client, by the operator). The web login is the cabinet
// API's (WebCabinet::login: sessions, no enumeration).
// Every action is asynchronous. Lookups read the read connection on the calling thread (the
// thread that owns the Storage; WAL readers never wait for the writer). Changes check the
// rules of CabinetRules and write the change, its audit entry and (for a password) the SMS
// in the outbox in one group-commit batch; `done` runs through the storage's Post only after
// that batch committed, so a reply built in `done` never announces an undurable change.
// Argon2id work runs on the CredentialHasher pool, never on the caller's thread. Refusals are
// Errors with the stable codes of CabinetRules ("access.closed_by_organisation",
// "puk.locked", "sms.rate_limited", "service.suspended", "not_found", ...) and their data
// (tries left, the end of a lockout) in the Error's fields.
// Access changes and lookups are in CabinetService.cpp; issuing a password in
// CabinetPasswords.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Secret.hpp"
#include "storage/CabinetRules.hpp"
#include "storage/Completion.hpp"
#include "storage/CredentialHasher.hpp"
#include "storage/GroupCommitter.hpp"
#include "storage/SharedReads.hpp"
#include "storage/StorageConfig.hpp"
#include "storage/StorageKey.hpp"
#include "storage/Types.hpp"
#include "storage/WallClock.hpp"

namespace ussdgw::storage {

struct PasswordIssued {
    std::int64_t outbox_id = 0;  // the SMS carrying the password
};

class CabinetService {
  public:
    CabinetService(const StorageConfig& cfg, const StorageKey& key, SharedReads& reads,
                   GroupCommitter& committer, CredentialHasher& hasher, WallClock clock, Post post)
        : cfg_(cfg),
          key_(key),
          reads_(reads),
          committer_(committer),
          hasher_(hasher),
          clock_(std::move(clock)),
          post_(std::move(post)) {}

    // The subscriber's record (no secrets), now, on the calling thread; nullopt if unknown.
    Result<std::optional<SubscriberRecord>> find(Msisdn msisdn);
    // The subscriber's record (no secrets), or "not_found".
    void state(Msisdn msisdn, Done<SubscriberRecord> done);
    // The subscriber's own cabinet access as the subscriber may see it (`*141*3*6#`):
    // "service.suspended" while its service is suspended (SPEC 2.9).
    void own_access(Msisdn msisdn, Done<CabinetState> done);
    // An administrator or supervisor looks up the access of its client's subscriber: the
    // manager rules of SPEC 2.5 ("role.forbidden", "role.other_client"), and refused while
    // the manager's own service is suspended.
    void managed_access(Msisdn manager, Msisdn target, Done<CabinetState> done);

    // Changes requested on behalf of a dialogue take a `cancellation`: when the dialogue
    // cancels it (released, timed out, replaced by a new dial) before the writer claimed the
    // change, nothing is written and `done` gets "request.annulled"; once claimed, the change
    // runs and `done` gets its real outcome (Cancellation::cancel() tells the dialogue which).

    // `*141*0#`: a new random password replaces the old one; its SMS (in the subscriber's
    // language) is queued in the outbox in the same transaction. Checks service, access and
    // the SMS rate limit.
    void issue_password(Msisdn msisdn, Channel channel, Done<PasswordIssued> done,
                        CancellationPtr cancellation = nullptr);

    // Counts wrong PUK1 entries; "puk.wrong", "puk.locked", "puk.not_set".
    void verify_puk(Msisdn msisdn, Secret puk, Channel channel, Done<Ok> done);

    // `*141*3*6#`: the subscriber closes its own access (no code needed); refused while its
    // service is suspended, like every request of the subscriber.
    void close_own_access(Msisdn msisdn, Channel channel, Done<Ok> done,
                          CancellationPtr cancellation = nullptr);
    // The subscriber reopens its own access with the PUK1 of its SIM; refused after a
    // closing by the organisation or the operator.
    void open_own_access(Msisdn msisdn, Secret puk, Channel channel, Done<Ok> done,
                         CancellationPtr cancellation = nullptr);

    // An administrator or supervisor opens or closes access of its client's subscriber.
    void manager_set_access(Msisdn manager, Msisdn target, bool open, Channel channel,
                            Done<Ok> done, CancellationPtr cancellation = nullptr);

    // The operator's staff: close for a lost SIM, a restriction or at the organisation's
    // request; open after any kind of closing.
    void operator_close(Msisdn msisdn, ClosedBy reason, std::string staff, Channel channel,
                        Done<Ok> done);
    void operator_open(Msisdn msisdn, std::string staff, Channel channel, Done<Ok> done);

  private:
    // A change in the next group-commit batch (domain refusals keep what the change wrote
    // before refusing, such as counters and audit entries; storage failures roll it back).
    template <typename T>
    void run(std::function<Result<T>(Database&)> work, Done<T> done,
             CancellationPtr cancellation = nullptr);
    // A lookup on the read connection, now; `done` gets it through the Post.
    template <typename T>
    void read(std::function<Result<T>(Database&)> lookup, Done<T> done);
    // Hands `error` to `done` through the Post.
    template <typename T>
    void refuse(const Done<T>& done, Error error) const {
        dispatch(post_, [done, error = std::move(error)] { done(Failure{error}); });
    }

    // issue_password, step by step: check (before any hashing), hash, commit.
    Status password_allowed(Database& db, const SubscriberRecord& rec);
    void hash_new_password(Msisdn msisdn, Channel channel, CancellationPtr cancellation,
                           std::shared_ptr<Done<PasswordIssued>> done);
    Result<PasswordIssued> commit_password(Database& db, Msisdn msisdn, Channel channel,
                                           const Secret& password, const std::string& hash);
    // One PUK1 attempt inside a change: lockout, comparison, counter and audit.
    Status check_puk(Database& db, const SubscriberRecord& rec, const Secret& puk, Channel channel,
                     std::int64_t now);

    std::int64_t now() const { return clock_(); }

    const StorageConfig& cfg_;
    const StorageKey& key_;
    // The read connection in the loop's shared snapshot (SharedReads).
    Database& reader() { return reads_.connection(); }

    SharedReads& reads_;
    GroupCommitter& committer_;
    CredentialHasher& hasher_;
    WallClock clock_;
    Post post_;
};

template <typename T>
void CabinetService::run(std::function<Result<T>(Database&)> work, Done<T> done,
                         CancellationPtr cancellation) {
    committer_.submit_change<T>(std::move(work), post_, std::move(done), std::move(cancellation));
}

template <typename T>
void CabinetService::read(std::function<Result<T>(Database&)> lookup, Done<T> done) {
    auto result = std::make_shared<Result<T>>(lookup(reader()));
    dispatch(post_, [result, done = std::move(done)] { done(std::move(*result)); });
}

}  // namespace ussdgw::storage
