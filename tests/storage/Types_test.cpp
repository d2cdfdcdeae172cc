// The storage layer's value types (storage/Types.cpp): MSISDNs and the enums' texts.
#include "storage/Types.hpp"

#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace types_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

TEST_CASE("MSISDNs are international digits") {
    CHECK(Msisdn::parse("375291234567").ok());
    CHECK_FALSE(Msisdn::parse("+375291234567").ok());
    CHECK_FALSE(Msisdn::parse("0291234567").ok());
    CHECK_FALSE(Msisdn::parse("37529123456a").ok());
    CHECK_FALSE(Msisdn::parse("1234567").ok());
    CHECK_FALSE(Msisdn::parse("1234567890123456").ok());
    CHECK(Msisdn::parse("375291234567")->text() == "375291234567");
}

TEST_CASE("Msisdn: the refusal names the rule; from_number and text agree") {
    CHECK(Msisdn::parse("+375291234567").error().code == "msisdn.invalid");
    CHECK(Msisdn::parse("12345678").ok());         // 8 digits: the shortest accepted
    CHECK(Msisdn::parse("123456789012345").ok());  // 15 digits: the longest
    CHECK_FALSE(Msisdn::parse("").ok());
    CHECK_FALSE(Msisdn::parse("37529 123456").ok());
    auto m = Msisdn::parse("375291234567");
    REQUIRE(m.ok());
    CHECK(m->number() == 375291234567);
    CHECK(Msisdn::from_number(375291234567) == *m);
    CHECK(Msisdn::from_number(375291234567).text() == "375291234567");
}

TEST_CASE("every enum value has a text that reads back as itself; unknown words do not") {
    for (auto v : {ClientKind::individual, ClientKind::legal_entity})
        CHECK(client_kind_from_text(to_text(v)) == v);
    for (auto v : {Role::subscriber, Role::supervisor, Role::administrator})
        CHECK(role_from_text(to_text(v)) == v);
    for (auto v : {ServiceState::active, ServiceState::suspended})
        CHECK(service_state_from_text(to_text(v)) == v);
    for (auto v : {Payment::prepaid, Payment::postpaid})
        CHECK(payment_from_text(to_text(v)) == v);
    for (auto v : {ClosedBy::subscriber, ClosedBy::organisation, ClosedBy::operator_lost_sim,
                   ClosedBy::operator_restriction})
        CHECK(closed_by_from_text(to_text(v)) == v);
    for (auto v : {Channel::ussd, Channel::http, Channel::web, Channel::cli})
        CHECK(channel_from_text(to_text(v)) == v);
    // The words stored in the database and shown in the audit log.
    CHECK(to_text(ClientKind::legal_entity) == "legal_entity");
    CHECK(to_text(ClosedBy::operator_lost_sim) == "operator_lost_sim");
    CHECK(to_text(ActorKind::operator_staff) == "operator");
    CHECK(to_text(Channel::cli) == "cli");
    CHECK_FALSE(role_from_text("Administrator").has_value());  // case matters
    CHECK_FALSE(client_kind_from_text("").has_value());
    CHECK_FALSE(channel_from_text("sms").has_value());
    CHECK_FALSE(payment_from_text("prepaid ").has_value());
}

}  // namespace types_test
