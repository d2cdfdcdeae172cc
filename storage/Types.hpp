// Domain vocabulary of the storage layer: MSISDNs, clients, roles, access and service
// states, channels, and their stable text forms (the same words go into the database,
// the CSV import and the audit log).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/Result.hpp"

namespace ussdgw::storage {

// An MSISDN in international format: 8 to 15 digits, no '+', no leading zero.
class Msisdn {
  public:
    static Result<Msisdn> parse(std::string_view text);
    static Msisdn from_number(std::int64_t n) { return Msisdn(n); }
    std::int64_t number() const { return n_; }
    std::string text() const { return std::to_string(n_); }
    friend bool operator==(const Msisdn&, const Msisdn&) = default;

  private:
    explicit Msisdn(std::int64_t n) : n_(n) {}
    std::int64_t n_ = 0;
};

enum class ClientKind { individual, legal_entity };
enum class Role { subscriber, supervisor, administrator };
enum class ServiceState { active, suspended };
enum class Payment { prepaid, postpaid };
// Who closed cabinet access (SPEC 2.4-2.6); nullopt while access is open.
enum class ClosedBy { subscriber, organisation, operator_lost_sim, operator_restriction };
// Through which channel an action came (the audit log, SPEC 2.10): `ussd` USSD over SMPP,
// `http` USSD over HTTP (the aggregator convention: a form POST per screen), `web` the
// cabinet's JSON API (engine/api: the web page, API clients, the operator's staff tokens),
// `cli` the `ussdgw` command line.
enum class Channel { ussd, http, web, cli };
// Who acts: the subscriber on its own number, an administrator or supervisor of the
// client, or the operator's staff (help line, sales centre, CLI).
enum class ActorKind { subscriber, manager, operator_staff };

std::string_view to_text(ClientKind v);
std::string_view to_text(Role v);
std::string_view to_text(ServiceState v);
std::string_view to_text(Payment v);
std::string_view to_text(ClosedBy v);
std::string_view to_text(Channel v);
std::string_view to_text(ActorKind v);

std::optional<ClientKind> client_kind_from_text(std::string_view t);
std::optional<Role> role_from_text(std::string_view t);
std::optional<ServiceState> service_state_from_text(std::string_view t);
std::optional<Payment> payment_from_text(std::string_view t);
std::optional<ClosedBy> closed_by_from_text(std::string_view t);
std::optional<Channel> channel_from_text(std::string_view t);

// Who performs an action, for the rules and the audit log.
struct Actor {
    ActorKind kind = ActorKind::subscriber;
    std::string id;  // MSISDN for subscribers and managers, staff login for the operator

    static Actor subscriber(Msisdn m) { return {ActorKind::subscriber, m.text()}; }
};

// A subscriber as provisioning sees it (no secrets).
struct Subscriber {
    Msisdn msisdn = Msisdn::from_number(0);
    std::string client_id;
    ClientKind client_kind = ClientKind::individual;
    Role role = Role::subscriber;
    std::string tariff_plan;
    bool puk_login_enabled = false;  // enabled individually by a sales centre
    ServiceState service = ServiceState::active;
    Payment payment = Payment::prepaid;
    std::int64_t balance_minor = 0;  // in kopecks
    std::string language;            // USSD screens: "ru", "en", "be"; "" = the default
};

// Cabinet state of a subscriber (no secrets: only whether a password is set).
struct CabinetState {
    bool access_open = true;
    std::optional<ClosedBy> closed_by;
    std::int64_t closed_at_ms = 0;
    bool has_password = false;
    std::int64_t password_set_at_ms = 0;
    bool puk_login_allowed = false;  // by tariff plan or individually
    int puk_failures = 0;
    std::int64_t puk_locked_until_ms = 0;
    int password_failures = 0;
    std::int64_t password_locked_until_ms = 0;
};

struct SubscriberRecord {
    Subscriber subscriber;
    CabinetState cabinet;
};

}  // namespace ussdgw::storage
