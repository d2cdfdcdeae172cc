// CabinetService's password flows, each as named steps: a check on the read connection (a
// refusal costs no Argon2id work), the Argon2id work on the hash pool, and the write that
// checks again (the state may have changed meanwhile) and commits.
#include <fmt/format.h>

#include "storage/AuditLog.hpp"
#include "storage/CabinetService.hpp"
#include "storage/SmsOutbox.hpp"
#include "storage/SubscriberStore.hpp"

namespace ussdgw::storage {

namespace {

// The password SMS in the subscriber's language, else in the default language.
std::string render_sms(const StorageConfig& cfg, const std::string& language,
                       std::string_view password) {
    auto it = cfg.password_sms_text.find(language);
    if (it == cfg.password_sms_text.end())
        it = cfg.password_sms_text.find(cfg.sms_default_language);
    if (it == cfg.password_sms_text.end()) it = cfg.password_sms_text.begin();
    std::string out = it == cfg.password_sms_text.end() ? std::string("{password}") : it->second;
    auto pos = out.find("{password}");
    if (pos == std::string::npos)
        out += std::string(" ") + std::string(password);
    else
        out.replace(pos, 10, password);
    return out;
}

}  // namespace

// ---- issue_password: check, hash, commit --------------------------------------------
// The SMS limits count the password SMS in the outbox, so only a committed password spends
// them: a request the hash pool refuses ("storage.busy": full, or it would wait past
// hash_max_wait) writes nothing, sends nothing and leaves the limits whole, as do the
// checks before hashing. The subscriber sees the menus' "try later" screen.

Status CabinetService::password_allowed(Database& db, const SubscriberRecord& rec) {
    if (auto st = rules::may_issue_password(rec.subscriber.service, rec.cabinet); !st) return st;
    Msisdn m = rec.subscriber.msisdn;
    SmsOutbox outbox(db, key_, outbox_policy(cfg_));
    std::int64_t t = now();
    auto hour = outbox.count_since(m, "password", t - 3600 * 1000);
    if (!hour) return Failure{hour.error()};
    auto day = outbox.count_since(m, "password", t - 24 * 3600 * 1000);
    if (!day) return Failure{day.error()};
    return rules::check_sms_rate(*hour, *day, cfg_.password_sms_per_hour,
                                 cfg_.password_sms_per_day);
}

void CabinetService::issue_password(Msisdn msisdn, Channel channel, Done<PasswordIssued> done,
                                    CancellationPtr cancellation) {
    if (cancellation && cancellation->cancelled())
        return refuse(done, Error{rules::kAnnulled, "annulled before it was written"});
    Database& db = reader();
    auto rec = SubscriberStore(db, cfg_.puk_login_tariff_plans).get(msisdn);
    if (!rec) return refuse(done, rec.error());
    if (auto st = password_allowed(db, *rec); !st) return refuse(done, st.error());
    hash_new_password(msisdn, channel, std::move(cancellation),
                      std::make_shared<Done<PasswordIssued>>(std::move(done)));
}

void CabinetService::hash_new_password(Msisdn msisdn, Channel channel, CancellationPtr cancellation,
                                       std::shared_ptr<Done<PasswordIssued>> done) {
    auto password =
        std::make_shared<Secret>(generate_password(cfg_.password_length, cfg_.password_alphabet));
    hasher_.hash(*password, nullptr,
                 [this, msisdn, channel, cancellation, done, password](Result<std::string> hash) {
                     if (!hash) return refuse(*done, hash.error());
                     run<PasswordIssued>(
                         [this, msisdn, channel, password,
                          hash = std::move(*hash)](Database& db) -> Result<PasswordIssued> {
                             auto issued = commit_password(db, msisdn, channel, *password, hash);
                             password->wipe();
                             return issued;
                         },
                         *done, cancellation);
                 });
}

Result<PasswordIssued> CabinetService::commit_password(Database& db, Msisdn msisdn, Channel channel,
                                                       const Secret& password,
                                                       const std::string& hash) {
    SubscriberStore store(db, cfg_.puk_login_tariff_plans);
    auto rec = store.get(msisdn);
    if (!rec) return Failure{rec.error()};
    if (auto st = password_allowed(db, *rec); !st) return Failure{st.error()};
    std::int64_t t = now();
    if (auto st = store.set_password_hash(msisdn, hash, t); !st) return Failure{st.error()};
    std::string text = render_sms(cfg_, rec->subscriber.language, password.reveal());
    auto id = SmsOutbox(db, key_, outbox_policy(cfg_)).enqueue(msisdn, "password", text, t);
    sodium_memzero(text.data(), text.size());
    if (!id) return Failure{id.error()};
    if (auto st = AuditLog(db).append({t, msisdn, "password.issued", Actor::subscriber(msisdn),
                                       channel, fmt::format("sms={}", *id)});
        !st)
        return Failure{st.error()};
    return PasswordIssued{*id};
}

}  // namespace ussdgw::storage
