// SmppApplication: the role a request needs, delivery receipts by esm_class, and the default
// answers (client links accept, the server refuses with kNotServed) over real TCP.
#include "smpp/SmppApplication.hpp"

#include <doctest/doctest.h>

#include <string>

#include "SamplePdus.hpp"
#include "SmppNetTestSupport.hpp"

namespace smpp_application_test {

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;

TEST_CASE("required_role: ussd when the request carries ussd_service_op, else sms") {
    CHECK(std::string(required_role(pdu(ussd_deliver_sm()))) == "ussd");
    CHECK(std::string(required_role(pdu(ussd_submit_sm()))) == "ussd");
    DataSm d;
    CHECK(std::string(required_role(pdu(d))) == "sms");
    d.tlvs.ussd_service_op = ussd_op::pssr_indication;
    CHECK(std::string(required_role(pdu(d))) == "ussd");
    CHECK(std::string(required_role(pdu(test_submit()))) == "sms");
    CHECK(std::string(required_role(pdu(EnquireLink{}))) == "sms");
}

TEST_CASE("carries_receipt: esm_class message type 0001 (receipt) or 1000 (notification)") {
    DeliverSm d;
    CHECK_FALSE(carries_receipt(pdu(d)));
    d.esm_class = 0x04;  // SMSC delivery receipt
    CHECK(carries_receipt(pdu(d)));
    d.esm_class = 0x20;  // intermediate delivery notification
    CHECK(carries_receipt(pdu(d)));
    d.esm_class = 0x04 | 0x40 | 0x03;  // other bits (UDHI, messaging mode) do not matter
    CHECK(carries_receipt(pdu(d)));
    d.esm_class = 0x08;  // SME delivery acknowledgement: not a receipt
    CHECK_FALSE(carries_receipt(pdu(d)));
    SubmitSm s = test_submit();
    s.esm_class = 0x04;
    CHECK(carries_receipt(pdu(s)));
    DataSm ds;
    ds.esm_class = 0x20;
    CHECK(carries_receipt(pdu(ds)));
    CHECK_FALSE(carries_receipt(pdu(SubmitSmResp{"x"})));
}

TEST_CASE("the default application refuses what reaches the server with kNotServed") {
    SmppApplication app;
    ServerThread s(test_server_config(), &app);
    RawClient c(s.port());
    REQUIRE(c.bind("esme", "secret").command_status == status::ok);
    REQUIRE(c.send(Pdu{status::ok, 2, test_submit()}));
    auto r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->sequence_number == 2);
    CHECK(r->command_status == kNotServed);
    CHECK(std::holds_alternative<SubmitSmResp>(r->body));
    REQUIRE(c.send(Pdu{status::ok, 3, Unbind{}}));
    auto u = c.read_pdu();
    REQUIRE(u.has_value());
    CHECK(std::holds_alternative<UnbindResp>(u->body));
}

}  // namespace smpp_application_test
