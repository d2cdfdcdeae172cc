#include "storage/ServiceRequests.hpp"

#include <fmt/format.h>

#include "storage/CabinetRules.hpp"

namespace ussdgw::storage {

namespace {

constexpr const char* kRequestColumns =
    "id, msisdn, service, action, price, state, created_at, confirmed_at, effective_by, "
    "finished_at, refusal";

std::optional<RequestState> request_state_from_text(std::string_view t) {
    if (t == "created") return RequestState::created;
    if (t == "pending") return RequestState::pending;
    if (t == "applied") return RequestState::applied;
    if (t == "refused") return RequestState::refused;
    if (t == "annulled") return RequestState::annulled;
    return std::nullopt;
}

std::optional<std::int64_t> opt_int(const Query& q, int col) {
    if (q.is_null(col)) return std::nullopt;
    return q.int64(col);
}

ServiceRequest read_request(const Query& q) {
    ServiceRequest r;
    r.id = q.int64(0);
    r.msisdn = Msisdn::from_number(q.int64(1));
    r.service = q.text(2);
    r.action = service_action_from_text(q.view(3)).value_or(ServiceAction::connect);
    r.price = q.int64(4);
    r.state = request_state_from_text(q.view(5)).value_or(RequestState::refused);
    r.created_at_ms = q.int64(6);
    r.confirmed_at_ms = opt_int(q, 7);
    r.effective_by_ms = opt_int(q, 8);
    r.finished_at_ms = opt_int(q, 9);
    r.refusal = q.text(10);
    return r;
}

Result<std::vector<ServiceRequest>> all_rows(Query& q) {
    std::vector<ServiceRequest> out;
    for (;;) {
        auto row = q.step();
        if (!row) return Failure{row.error()};
        if (!*row) return out;
        out.push_back(read_request(q));
    }
}

Failure wrong_state(const ServiceRequest& r) {
    Error e{rules::kWrongState, fmt::format("the request is {}", to_text(r.state))};
    return Failure{e};
}

}  // namespace

std::string_view to_text(ServiceAction a) {
    return a == ServiceAction::connect ? "connect" : "disconnect";
}

std::string_view to_text(RequestState s) {
    switch (s) {
        case RequestState::created:
            return "created";
        case RequestState::pending:
            return "pending";
        case RequestState::applied:
            return "applied";
        case RequestState::refused:
            return "refused";
        case RequestState::annulled:
            return "annulled";
    }
    return "refused";
}

std::optional<ServiceAction> service_action_from_text(std::string_view t) {
    if (t == "connect") return ServiceAction::connect;
    if (t == "disconnect") return ServiceAction::disconnect;
    return std::nullopt;
}

namespace rules {
Status may_change_service(ServiceState service, Payment payment, std::int64_t balance_minor,
                          ServiceAction action, std::int64_t price, bool connected) {
    if (service == ServiceState::suspended)
        return fail(kServiceSuspended, "requests are refused while service is suspended");
    if (action == ServiceAction::connect && connected)
        return fail(kAlreadyConnected, "the service is already connected");
    if (action == ServiceAction::disconnect && !connected)
        return fail(kNotConnected, "the service is not connected");
    if (action == ServiceAction::connect && payment == Payment::prepaid && price > 0 &&
        balance_minor < price)
        return fail(kBalanceInsufficient, "the balance does not cover the price");
    return ok_status();
}
}  // namespace rules

Result<bool> ServiceRequests::is_connected(Msisdn msisdn, const std::string& service) {
    auto q = db_.query("SELECT 1 FROM subscriber_services WHERE msisdn = ? AND service = ?");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, service);
    return q->step();
}

Result<ServiceRequest> ServiceRequests::create(const SubscriberRecord& rec, std::int64_t session_id,
                                               const std::string& service, ServiceAction action,
                                               std::int64_t price, std::int64_t now_ms) {
    Msisdn m = rec.subscriber.msisdn;
    auto connected = is_connected(m, service);
    if (!connected) return Failure{connected.error()};
    const Subscriber& s = rec.subscriber;
    if (auto st = rules::may_change_service(s.service, s.payment, s.balance_minor, action, price,
                                            *connected);
        !st)
        return Failure{st.error()};
    auto open = db_.query(
        "SELECT 1 FROM service_requests WHERE msisdn = ? AND service = ? AND state IN "
        "('created', 'pending')");
    if (!open) return Failure{open.error()};
    open->bind(1, m.number()).bind(2, service);
    auto row = open->step();
    if (!row) return Failure{row.error()};
    if (*row) return fail(rules::kRequestOpen, "a request for this service is already open");
    auto q = db_.query(
        "INSERT INTO service_requests (msisdn, session_id, service, action, price, state, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'created', ?)");
    if (!q) return Failure{q.error()};
    q->bind(1, m.number())
        .bind(2, session_id)
        .bind(3, service)
        .bind(4, to_text(action))
        .bind(5, price)
        .bind(6, now_ms);
    if (auto st = q->run(); !st) return Failure{st.error()};
    return get(m, db_.last_insert_rowid());
}

Result<ServiceRequest> ServiceRequests::confirm(const SubscriberRecord& rec, std::int64_t id,
                                                std::int64_t now_ms, std::int64_t delay_ms) {
    Msisdn m = rec.subscriber.msisdn;
    auto r = get(m, id);
    if (!r) return r;
    if (r->state != RequestState::created) return wrong_state(*r);
    auto connected = is_connected(m, r->service);
    if (!connected) return Failure{connected.error()};
    const Subscriber& s = rec.subscriber;
    if (auto st = rules::may_change_service(s.service, s.payment, s.balance_minor, r->action,
                                            r->price, *connected);
        !st)
        return Failure{st.error()};
    auto q = db_.query(
        "UPDATE service_requests SET state = 'pending', confirmed_at = ?2, effective_by = ?3 "
        "WHERE id = ?1");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, now_ms).bind(3, now_ms + delay_ms);
    if (auto st = q->run(); !st) return Failure{st.error()};
    return get(m, id);
}

Result<ServiceRequest> ServiceRequests::cancel(Msisdn msisdn, std::int64_t id,
                                               std::int64_t now_ms) {
    auto r = get(msisdn, id);
    if (!r) return r;
    if (r->state != RequestState::created) return wrong_state(*r);
    if (auto st = finish(id, RequestState::annulled, "", now_ms); !st) return Failure{st.error()};
    return get(msisdn, id);
}

Result<ServiceRequest> ServiceRequests::get(Msisdn msisdn, std::int64_t id) {
    auto q = db_.query(std::string("SELECT ") + kRequestColumns +
                       " FROM service_requests WHERE id = ? AND msisdn = ?");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, msisdn.number());
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row) return fail(rules::kNotFound, "no such request");
    return read_request(*q);
}

Result<std::vector<ServiceRequest>> ServiceRequests::page(Msisdn msisdn, std::int64_t before,
                                                          int limit) {
    auto q = db_.query(std::string("SELECT ") + kRequestColumns +
                       " FROM service_requests WHERE msisdn = ?1 AND (?2 = 0 OR id < ?2) "
                       "ORDER BY id DESC LIMIT ?3");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number()).bind(2, before).bind(3, limit);
    return all_rows(*q);
}

Result<std::vector<ConnectedService>> ServiceRequests::connected(Msisdn msisdn) {
    auto q = db_.query(
        "SELECT service, since FROM subscriber_services WHERE msisdn = ? ORDER BY service");
    if (!q) return Failure{q.error()};
    q->bind(1, msisdn.number());
    std::vector<ConnectedService> out;
    for (;;) {
        auto row = q->step();
        if (!row) return Failure{row.error()};
        if (!*row) return out;
        out.push_back({q->text(0), q->int64(1)});
    }
}

Result<std::optional<std::int64_t>> ServiceRequests::next_due() {
    auto q = db_.query("SELECT min(effective_by) FROM service_requests WHERE state = 'pending'");
    if (!q) return Failure{q.error()};
    auto row = q->step();
    if (!row) return Failure{row.error()};
    if (!*row || q->is_null(0)) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(q->int64(0));
}

Result<std::vector<ServiceRequest>> ServiceRequests::due(std::int64_t now_ms, int limit) {
    auto q = db_.query(std::string("SELECT ") + kRequestColumns +
                       " FROM service_requests WHERE state = 'pending' AND effective_by <= ? "
                       "ORDER BY effective_by, id LIMIT ?");
    if (!q) return Failure{q.error()};
    q->bind(1, now_ms).bind(2, limit);
    return all_rows(*q);
}

Result<ServiceRequest> ServiceRequests::apply(const SubscriberRecord& rec, const ServiceRequest& r,
                                              std::int64_t now_ms) {
    Msisdn m = rec.subscriber.msisdn;
    auto connected = is_connected(m, r.service);
    if (!connected) return Failure{connected.error()};
    const Subscriber& s = rec.subscriber;
    auto allowed = rules::may_change_service(s.service, s.payment, s.balance_minor, r.action,
                                             r.price, *connected);
    if (!allowed) {
        if (auto st = finish(r.id, RequestState::refused, allowed.error().code, now_ms); !st)
            return Failure{st.error()};
        return get(m, r.id);
    }
    if (r.action == ServiceAction::connect) {
        auto add =
            db_.query("INSERT INTO subscriber_services (msisdn, service, since) VALUES (?, ?, ?)");
        if (!add) return Failure{add.error()};
        add->bind(1, m.number()).bind(2, r.service).bind(3, now_ms);
        if (auto st = add->run(); !st) return Failure{st.error()};
        if (r.price != 0) {
            auto charge = db_.query(
                "UPDATE subscribers SET balance_minor = balance_minor - ?2, updated_at = ?3 "
                "WHERE msisdn = ?1");
            if (!charge) return Failure{charge.error()};
            charge->bind(1, m.number()).bind(2, r.price).bind(3, now_ms);
            if (auto st = charge->run(); !st) return Failure{st.error()};
        }
    } else {
        auto del = db_.query("DELETE FROM subscriber_services WHERE msisdn = ? AND service = ?");
        if (!del) return Failure{del.error()};
        del->bind(1, m.number()).bind(2, r.service);
        if (auto st = del->run(); !st) return Failure{st.error()};
    }
    if (auto st = finish(r.id, RequestState::applied, "", now_ms); !st) return Failure{st.error()};
    return get(m, r.id);
}

Status ServiceRequests::finish(std::int64_t id, RequestState state, std::string_view refusal,
                               std::int64_t now_ms) {
    auto q = db_.query(
        "UPDATE service_requests SET state = ?2, finished_at = ?3, refusal = ?4 WHERE id = ?1");
    if (!q) return Failure{q.error()};
    q->bind(1, id).bind(2, to_text(state)).bind(3, now_ms);
    if (refusal.empty())
        q->bind_null(4);
    else
        q->bind(4, refusal);
    return q->run();
}

}  // namespace ussdgw::storage
