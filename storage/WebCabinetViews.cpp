// WebCabinet: the subscriber's own data, service requests, the organisation's view and the
// operator's staff actions.
#include <fmt/format.h>

#include <sstream>

#include "storage/Storage.hpp"
#include "storage/WebCabinet.hpp"

namespace ussdgw::storage {

namespace {

Actor staff_actor(const std::string& name) {
    return {ActorKind::operator_staff, name};
}

template <typename T>
Page<T> paged(std::vector<T> items, int limit, std::int64_t (*cursor)(const T&)) {
    Page<T> p;
    if (static_cast<int>(items.size()) > limit) {
        items.resize(static_cast<std::size_t>(limit));
        p.next = cursor(items.back());
    }
    p.items = std::move(items);
    return p;
}

std::int64_t audit_id(const AuditEntry& e) {
    return e.id;
}
std::int64_t call_id(const CallRecord& c) {
    return c.id;
}
std::int64_t request_id(const ServiceRequest& r) {
    return r.id;
}
std::int64_t sms_id(const SmsRecord& r) {
    return r.id;
}
std::int64_t msisdn_of(const SubscriberRecord& r) {
    return r.subscriber.msisdn.number();
}

std::optional<OutboxState> outbox_state(std::string_view t) {
    for (auto s : {OutboxState::pending, OutboxState::sending, OutboxState::submitted,
                   OutboxState::delivered, OutboxState::failed})
        if (to_text(s) == t) return s;
    return std::nullopt;
}

}  // namespace

// --- the subscriber's own data ----------------------------------------------------------

Result<Page<AuditEntry>> WebCabinet::audit(Msisdn msisdn, std::int64_t before, int limit) {
    auto r = AuditLog(reader()).page(msisdn, before, limit + 1);
    if (!r) return Failure{r.error()};
    return paged(std::move(*r), limit, &audit_id);
}

Result<Page<CallRecord>> WebCabinet::calls(Msisdn msisdn, std::int64_t before, int limit) {
    auto r = CallRecords(reader()).page(msisdn, before, limit + 1);
    if (!r) return Failure{r.error()};
    return paged(std::move(*r), limit, &call_id);
}

void WebCabinet::close_own_access(const SessionContext& ctx, Done<Ok> done) {
    // The closing ends every session of the subscriber (the schema's trigger), this one too.
    storage_.cabinet().close_own_access(ctx.record.subscriber.msisdn, Channel::web,
                                        std::move(done));
}

// --- service requests -------------------------------------------------------------------

Result<std::vector<ConnectedService>> WebCabinet::connected_services(Msisdn msisdn) {
    return ServiceRequests(reader()).connected(msisdn);
}

Result<Page<ServiceRequest>> WebCabinet::service_requests(Msisdn msisdn, std::int64_t before,
                                                          int limit) {
    auto r = ServiceRequests(reader()).page(msisdn, before, limit + 1);
    if (!r) return Failure{r.error()};
    return paged(std::move(*r), limit, &request_id);
}

Result<ServiceRequest> WebCabinet::service_request(Msisdn msisdn, std::int64_t id) {
    return ServiceRequests(reader()).get(msisdn, id);
}

void WebCabinet::create_request(const SessionContext& ctx, std::string service,
                                ServiceAction action, std::int64_t price,
                                Done<ServiceRequest> done) {
    session_change<ServiceRequest>(
        ctx.session.id,
        [this, m = ctx.record.subscriber.msisdn, id = ctx.session.id, service = std::move(service),
         action, price](Database& db) -> Result<ServiceRequest> {
            auto rec = must_find(db, storage_.config(), m);
            if (!rec) return Failure{rec.error()};
            return ServiceRequests(db).create(*rec, id, service, action, price, now());
        },
        std::move(done));
}

void WebCabinet::confirm_request(const SessionContext& ctx, std::int64_t id,
                                 Done<ServiceRequest> done) {
    session_change<ServiceRequest>(
        ctx.session.id,
        [this, m = ctx.record.subscriber.msisdn, id](Database& db) -> Result<ServiceRequest> {
            auto rec = must_find(db, storage_.config(), m);
            if (!rec) return Failure{rec.error()};
            std::int64_t t = now();
            auto r = ServiceRequests(db).confirm(*rec, id, t, policy_.apply_delay_ms);
            if (!r) return r;
            if (auto st = AuditLog(db).append(
                    {t, m, "service.requested", Actor::subscriber(m), Channel::web,
                     fmt::format("{} {} request={}", to_text(r->action), r->service, r->id)});
                !st)
                return Failure{st.error()};
            return r;
        },
        std::move(done));
}

void WebCabinet::cancel_request(const SessionContext& ctx, std::int64_t id,
                                Done<ServiceRequest> done) {
    session_change<ServiceRequest>(
        ctx.session.id,
        [this, m = ctx.record.subscriber.msisdn, id](Database& db) {
            return ServiceRequests(db).cancel(m, id, now());
        },
        std::move(done));
}

Result<std::optional<std::int64_t>> WebCabinet::next_due() {
    return ServiceRequests(reader()).next_due();
}

void WebCabinet::apply_due(int limit, Done<int> done) {
    change<int>(
        [this, limit](Database& db) -> Result<int> {
            std::int64_t t = now();
            ServiceRequests requests(db);
            auto due = requests.due(t, limit);
            if (!due) return Failure{due.error()};
            int applied = 0;
            for (const auto& r : *due) {
                auto rec = must_find(db, storage_.config(), r.msisdn);
                if (!rec) return Failure{rec.error()};
                auto done_r = requests.apply(*rec, r, t);
                if (!done_r) return Failure{done_r.error()};
                bool ok = done_r->state == RequestState::applied;
                if (auto st = AuditLog(db).append(
                        {t,
                         r.msisdn,
                         ok ? "service.applied" : "service.refused",
                         {ActorKind::operator_staff, "scheduler"},
                         Channel::web,
                         fmt::format("{} {} request={}{}", to_text(r.action), r.service, r.id,
                                     ok ? "" : " refusal=" + done_r->refusal)});
                    !st)
                    return Failure{st.error()};
                ++applied;
            }
            return applied;
        },
        std::move(done));
}

// --- administrators and supervisors -------------------------------------------------------

Result<Page<SubscriberRecord>> WebCabinet::client_subscribers(const std::string& client_id,
                                                              const OrgFilter& f) {
    Database& db = reader();  // one snapshot for the page
    auto q = db.query(
        "SELECT msisdn FROM subscribers WHERE client_id = ?1 AND msisdn > ?2 "
        "AND (?3 = '' OR CAST(msisdn AS TEXT) LIKE ?3 || '%') "
        "AND (?4 < 0 OR access_open = ?4) ORDER BY msisdn LIMIT ?5");
    if (!q) return Failure{q.error()};
    q->bind(1, client_id)
        .bind(2, f.after)
        .bind(3, f.prefix)
        .bind(4, f.access_open ? (*f.access_open ? 1 : 0) : -1)
        .bind(5, f.limit + 1);
    std::vector<std::int64_t> numbers;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        numbers.push_back(q->int64(0));
    }
    std::vector<SubscriberRecord> out;
    SubscriberStore store(db, storage_.config().puk_login_tariff_plans);
    for (auto n : numbers) {
        auto rec = store.find(Msisdn::from_number(n));
        if (!rec) return Failure{rec.error()};
        if (*rec) out.push_back(std::move(**rec));
    }
    return paged(std::move(out), f.limit, &msisdn_of);
}

Result<SubscriberRecord> WebCabinet::managed(const SessionContext& manager, Msisdn target) {
    auto rec = SubscriberStore(reader(), storage_.config().puk_login_tariff_plans).find(target);
    if (!rec) return Failure{rec.error()};
    // Another client's number is answered exactly like an unknown one.
    if (!*rec || (*rec)->subscriber.client_id != manager.record.subscriber.client_id)
        return fail(rules::kNotFound, "no such subscriber");
    return std::move(**rec);
}

void WebCabinet::manager_set_access(const SessionContext& manager, Msisdn target, bool open,
                                    Done<SubscriberRecord> done) {
    storage_.cabinet().manager_set_access(
        manager.record.subscriber.msisdn, target, open, Channel::web,
        [this, target, done](Status st) {
            if (!st) {
                Error e = st.error();
                if (e.code == rules::kRoleOtherClient)
                    e = Error{rules::kNotFound, "no such subscriber"};
                return done(Failure{e});
            }
            auto rec =
                SubscriberStore(reader(), storage_.config().puk_login_tariff_plans).find(target);
            if (!rec) return done(Failure{rec.error()});
            if (!*rec) return done(fail(rules::kNotFound, "no such subscriber"));
            done(std::move(**rec));
        });
}

// --- the operator's staff -----------------------------------------------------------------

Result<std::optional<SubscriberRecord>> WebCabinet::subscriber(Msisdn msisdn) {
    return SubscriberStore(reader(), storage_.config().puk_login_tariff_plans).find(msisdn);
}

void WebCabinet::put_subscriber(Subscriber s, std::optional<Secret> puk, std::string staff,
                                Done<bool> done) {
    std::string puk_hash = puk ? storage_.key().hash_puk(s.msisdn.text(), puk->reveal()) : "";
    if (puk) puk->wipe();
    change<bool>(
        [this, s = std::move(s), puk_hash = std::move(puk_hash),
         staff = std::move(staff)](Database& db) -> Result<bool> {
            SubscriberStore store(db, storage_.config().puk_login_tariff_plans);
            std::string hash = puk_hash;
            if (hash.empty()) {
                auto secrets = store.secrets(s.msisdn);
                if (!secrets) {
                    if (secrets.error().code == rules::kNotFound)
                        return fail("puk1.required", "a new subscriber needs its PUK1");
                    return Failure{secrets.error()};
                }
                hash = secrets->puk_hash;
            }
            if (auto st = store.upsert_client(s.client_id, s.client_kind); !st)
                return Failure{st.error()};
            std::int64_t t = now();
            auto r = store.upsert(s, hash, t);
            if (!r) return Failure{r.error()};
            if (*r != UpsertOutcome::unchanged)
                if (auto st =
                        AuditLog(db).append({t, s.msisdn,
                                             *r == UpsertOutcome::inserted ? "subscriber.created"
                                                                           : "subscriber.updated",
                                             staff_actor(staff), Channel::web,
                                             puk_hash.empty() ? "" : "puk1=replaced"});
                    !st)
                    return Failure{st.error()};
            return *r == UpsertOutcome::inserted;
        },
        std::move(done));
}

void WebCabinet::set_puk_login(Msisdn msisdn, bool enabled, std::string staff, Done<Ok> done) {
    change<Ok>(
        [this, msisdn, enabled, staff = std::move(staff)](Database& db) -> Status {
            auto rec = must_find(db, storage_.config(), msisdn);
            if (!rec) return Failure{rec.error()};
            if (rec->subscriber.puk_login_enabled == enabled) return ok_status();
            std::int64_t t = now();
            auto q = db.query(
                "UPDATE subscribers SET puk_login_enabled = ?2, updated_at = ?3 WHERE msisdn = ?1");
            if (!q) return Failure{q.error()};
            q->bind(1, msisdn.number()).bind(2, enabled).bind(3, t);
            if (auto st = q->run(); !st) return st;
            return AuditLog(db).append({t, msisdn,
                                        enabled ? "puk_login.enabled" : "puk_login.disabled",
                                        staff_actor(staff), Channel::web, ""});
        },
        std::move(done));
}

void WebCabinet::staff_close(Msisdn msisdn, ClosedBy reason, std::string staff, Done<Ok> done) {
    storage_.cabinet().operator_close(msisdn, reason, std::move(staff), Channel::web,
                                      std::move(done));
}

void WebCabinet::staff_open(Msisdn msisdn, std::string staff, Done<Ok> done) {
    storage_.cabinet().operator_open(msisdn, std::move(staff), Channel::web, std::move(done));
}

Result<Page<SmsRecord>> WebCabinet::sms(Msisdn msisdn, std::int64_t before, int limit) {
    auto q = reader().query(
        "SELECT o.id, o.kind, o.state, o.attempts, o.created_at, o.updated_at, o.last_error, "
        "(SELECT count(*) FROM sms_parts p WHERE p.message_id = o.id), "
        "(SELECT count(*) FROM sms_parts p WHERE p.message_id = o.id AND p.state = 'delivered') "
        "FROM sms_outbox o WHERE o.msisdn = ?1 AND (?2 = 0 OR o.id < ?2) "
        "ORDER BY o.id DESC LIMIT ?3");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, before).bind(3, limit + 1);
    std::vector<SmsRecord> out;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) break;
        SmsRecord r;
        r.id = q->int64(0);
        r.kind = q->text(1);
        r.state = outbox_state(q->view(2)).value_or(OutboxState::pending);
        r.attempts = static_cast<int>(q->int64(3));
        r.created_at_ms = q->int64(4);
        r.updated_at_ms = q->int64(5);
        r.last_error = q->text(6);
        r.parts = static_cast<int>(q->int64(7));
        r.parts_delivered = static_cast<int>(q->int64(8));
        out.push_back(std::move(r));
    }
    return paged(std::move(out), limit, &sms_id);
}

void WebCabinet::import_subscribers(std::string csv, bool partial, Done<ImportSummary> done) {
    change<ImportSummary>(
        [this, csv = std::move(csv), partial](Database& db) {
            std::istringstream in(csv);
            ImportOptions opts;
            opts.partial = partial;
            return storage::import_subscribers(db, storage_.key(), storage_.config(), in, opts,
                                               now());
        },
        std::move(done));
}

}  // namespace ussdgw::storage
