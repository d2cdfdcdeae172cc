#include "storage/Types.hpp"

#include <array>
#include <utility>

namespace ussdgw::storage {

Result<Msisdn> Msisdn::parse(std::string_view text) {
    if (text.size() < 8 || text.size() > 15)
        return fail("msisdn.invalid", "MSISDN must be 8 to 15 international digits");
    if (text[0] == '0') return fail("msisdn.invalid", "MSISDN must not start with 0");
    std::int64_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return fail("msisdn.invalid", "MSISDN must be international digits only (no '+')");
        n = n * 10 + (c - '0');
    }
    return Msisdn(n);
}

namespace {
template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view t) {
    for (const auto& [v, name] : table)
        if (name == t) return v;
    return std::nullopt;
}
template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
    for (const auto& [e, name] : table)
        if (e == v) return name;
    return "?";
}

constexpr std::array<std::pair<ClientKind, std::string_view>, 2> kClientKinds{
    {{ClientKind::individual, "individual"}, {ClientKind::legal_entity, "legal_entity"}}};
constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{
    {{Role::subscriber, "subscriber"},
     {Role::supervisor, "supervisor"},
     {Role::administrator, "administrator"}}};
constexpr std::array<std::pair<ServiceState, std::string_view>, 2> kServiceStates{
    {{ServiceState::active, "active"}, {ServiceState::suspended, "suspended"}}};
constexpr std::array<std::pair<Payment, std::string_view>, 2> kPayments{
    {{Payment::prepaid, "prepaid"}, {Payment::postpaid, "postpaid"}}};
constexpr std::array<std::pair<ClosedBy, std::string_view>, 4> kClosedBy{
    {{ClosedBy::subscriber, "subscriber"},
     {ClosedBy::organisation, "organisation"},
     {ClosedBy::operator_lost_sim, "operator_lost_sim"},
     {ClosedBy::operator_restriction, "operator_restriction"}}};
constexpr std::array<std::pair<Channel, std::string_view>, 4> kChannels{{{Channel::ussd, "ussd"},
                                                                         {Channel::http, "http"},
                                                                         {Channel::web, "web"},
                                                                         {Channel::cli, "cli"}}};
constexpr std::array<std::pair<ActorKind, std::string_view>, 3> kActorKinds{
    {{ActorKind::subscriber, "subscriber"},
     {ActorKind::manager, "manager"},
     {ActorKind::operator_staff, "operator"}}};
}  // namespace

std::string_view to_text(ClientKind v) {
    return name_of(kClientKinds, v);
}
std::string_view to_text(Role v) {
    return name_of(kRoles, v);
}
std::string_view to_text(ServiceState v) {
    return name_of(kServiceStates, v);
}
std::string_view to_text(Payment v) {
    return name_of(kPayments, v);
}
std::string_view to_text(ClosedBy v) {
    return name_of(kClosedBy, v);
}
std::string_view to_text(Channel v) {
    return name_of(kChannels, v);
}
std::string_view to_text(ActorKind v) {
    return name_of(kActorKinds, v);
}

std::optional<ClientKind> client_kind_from_text(std::string_view t) {
    return lookup(kClientKinds, t);
}
std::optional<Role> role_from_text(std::string_view t) {
    return lookup(kRoles, t);
}
std::optional<ServiceState> service_state_from_text(std::string_view t) {
    return lookup(kServiceStates, t);
}
std::optional<Payment> payment_from_text(std::string_view t) {
    return lookup(kPayments, t);
}
std::optional<ClosedBy> closed_by_from_text(std::string_view t) {
    return lookup(kClosedBy, t);
}
std::optional<Channel> channel_from_text(std::string_view t) {
    return lookup(kChannels, t);
}

}  // namespace ussdgw::storage
