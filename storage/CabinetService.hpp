// The cabinet's domain actions as the menus and the HTTP API call them: issue a password,
// read the access state, verify PUK1, open and close access (by the subscriber, by an
// administrator or supervisor of its client, by the operator), and the login check.
// Every action is asynchronous: the rules of CabinetRules are checked and the change, its
// audit entry and (for a password) the SMS in the outbox are written in one group-commit
// batch; `done` runs through the storage's Post only after that batch committed, so a
// reply built in `done` never announces an undurable change. Argon2id work runs on the
// CredentialHasher pool, never on the caller's thread. Refusals are Errors with the stable
// codes of CabinetRules ("access.closed_by_organisation", "puk.locked", "sms.rate_limited",
// "service.suspended", "not_found", ...).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/base/Cancellation.hpp"
#include "engine/base/Secret.hpp"
#include "storage/CabinetRules.hpp"
#include "storage/CredentialHasher.hpp"
#include "storage/GroupCommitter.hpp"
#include "storage/StorageConfig.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

using Clock = std::function<std::int64_t()>;  // milliseconds since the Unix epoch

template <typename T>
using Done = std::function<void(Result<T>)>;

struct PasswordIssued {
    std::int64_t outbox_id = 0;  // the SMS carrying the password
};

enum class LoginMethod { password, puk };
struct LoginOk {
    LoginMethod method = LoginMethod::password;
};

class CabinetService {
  public:
    CabinetService(const StorageConfig& cfg, const StorageKey& key, GroupCommitter& committer,
                   CredentialHasher& hasher, Clock clock, Post post)
        : cfg_(cfg),
          key_(key),
          committer_(committer),
          hasher_(hasher),
          clock_(std::move(clock)),
          post_(std::move(post)) {}

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

    // `*141*0#`: a new random password replaces the old one; its SMS is queued in the
    // outbox in the same transaction. Checks service, access and the SMS rate limit.
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

    // The web cabinet's login check with the password or, where allowed, the PUK1.
    // "password.wrong", "password.locked", "password.not_set", "access.closed_*".
    void check_login(Msisdn msisdn, Secret credential, Channel channel, Done<LoginOk> done);

  private:
    template <typename T>
    void run(std::function<Result<T>(Database&)> work, Done<T> done,
             CancellationPtr cancellation = nullptr);
    std::int64_t now() const { return clock_(); }

    const StorageConfig& cfg_;
    const StorageKey& key_;
    GroupCommitter& committer_;
    CredentialHasher& hasher_;
    Clock clock_;
    Post post_;
};

}  // namespace ussdgw::storage
