// Service requests (SPEC 2.9; tables service_requests and subscriber_services). A subscriber
// asks to connect or disconnect a service of the catalogue; the request is `created`, then
// confirmed in the same session (`pending`, effective by confirmation + the configured delay),
// then applied by the engine's scheduler (`applied`, or `refused` when the rules no longer
// hold at that moment). An unconfirmed request is `annulled` by a cancel or when its session
// ends (the schema's trigger). The rules, as pure functions: nothing is requested while
// service is suspended; a prepaid subscriber connects a paid service only with a balance of
// at least its price; one open request per service. Applying a connection charges its price
// to the balance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/Database.hpp"
#include "storage/Types.hpp"

namespace ussdgw::storage {

enum class ServiceAction { connect, disconnect };
enum class RequestState { created, pending, applied, refused, annulled };
std::string_view to_text(ServiceAction a);
std::string_view to_text(RequestState s);
std::optional<ServiceAction> service_action_from_text(std::string_view t);

struct ServiceRequest {
    std::int64_t id = 0;
    Msisdn msisdn = Msisdn::from_number(0);
    std::string service;
    ServiceAction action = ServiceAction::connect;
    std::int64_t price = 0;  // minor units
    RequestState state = RequestState::created;
    std::int64_t created_at_ms = 0;
    std::optional<std::int64_t> confirmed_at_ms, effective_by_ms, finished_at_ms;
    std::string refusal;  // the rule that refused it, or "session.ended" when annulled so
};

struct ConnectedService {
    std::string service;
    std::int64_t since_ms = 0;
};

namespace rules {
inline constexpr const char* kBalanceInsufficient = "balance.insufficient";
inline constexpr const char* kAlreadyConnected = "service.already_connected";
inline constexpr const char* kNotConnected = "service.not_connected";
inline constexpr const char* kRequestOpen = "service.request_open";
inline constexpr const char* kWrongState = "request.wrong_state";

// May this change be asked for, or applied, now? (SPEC 2.9)
Status may_change_service(ServiceState service, Payment payment, std::int64_t balance_minor,
                          ServiceAction action, std::int64_t price, bool connected);
}  // namespace rules

class ServiceRequests {
  public:
    explicit ServiceRequests(Database& db) : db_(db) {}

    // A created request (the record is the subscriber as read in this transaction).
    Result<ServiceRequest> create(const SubscriberRecord& rec, std::int64_t session_id,
                                  const std::string& service, ServiceAction action,
                                  std::int64_t price, std::int64_t now_ms);
    // created -> pending, effective by now + delay. The rules are checked again.
    Result<ServiceRequest> confirm(const SubscriberRecord& rec, std::int64_t id,
                                   std::int64_t now_ms, std::int64_t delay_ms);
    // created -> annulled.
    Result<ServiceRequest> cancel(Msisdn msisdn, std::int64_t id, std::int64_t now_ms);
    // "not_found" also for another subscriber's request.
    Result<ServiceRequest> get(Msisdn msisdn, std::int64_t id);
    // Newest first; ids below `before` (0 = from the newest).
    Result<std::vector<ServiceRequest>> page(Msisdn msisdn, std::int64_t before, int limit);
    Result<std::vector<ConnectedService>> connected(Msisdn msisdn);
    Result<bool> is_connected(Msisdn msisdn, const std::string& service);

    // The earliest effective_by of a pending request.
    Result<std::optional<std::int64_t>> next_due();
    // Pending requests due at `now_ms` (at most `limit`), oldest first.
    Result<std::vector<ServiceRequest>> due(std::int64_t now_ms, int limit);
    // pending -> applied (connected or disconnected, the price charged) or refused.
    Result<ServiceRequest> apply(const SubscriberRecord& rec, const ServiceRequest& r,
                                 std::int64_t now_ms);

  private:
    Status finish(std::int64_t id, RequestState state, std::string_view refusal,
                  std::int64_t now_ms);

    Database& db_;
};

}  // namespace ussdgw::storage
