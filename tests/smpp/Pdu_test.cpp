// Pdu: command names and ids, bind type names, and the response made for a request.
#include "smpp/Pdu.hpp"

#include <doctest/doctest.h>

#include <string>

#include "SamplePdus.hpp"

namespace pdu_test {

using namespace ussdgw::smpp;
using ussdgw::smpp::test::bind;
using ussdgw::smpp::test::bind_resp;
using ussdgw::smpp::test::pdu;

TEST_CASE("command_name and command_id") {
    CHECK(std::string(command_name(0x00000004)) == "submit_sm");
    CHECK(std::string(command_name(0x80000009)) == "bind_transceiver_resp");
    CHECK(std::string(command_name(0x00000103)) == "data_sm");
    CHECK(std::string(command_name(0x12345678)) == "unknown");
    CHECK(pdu(bind(BindType::receiver)).command_id() == 0x00000001);
    CHECK(pdu(bind(BindType::transmitter)).command_id() == 0x00000002);
    CHECK(pdu(bind(BindType::transceiver)).command_id() == 0x00000009);
    CHECK(pdu(bind_resp(BindType::receiver)).command_id() == 0x80000001);
    CHECK(pdu(bind_resp(BindType::transmitter)).command_id() == 0x80000002);
    CHECK(pdu(bind_resp(BindType::transceiver)).command_id() == 0x80000009);
    CHECK(pdu(GenericNack{}).command_id() == 0x80000000);
    CHECK(pdu(DataSmResp{}).command_id() == 0x80000103);
}

TEST_CASE("bind_type_name names the three bind types") {
    CHECK(std::string(bind_type_name(BindType::receiver)) == "receiver");
    CHECK(std::string(bind_type_name(BindType::transmitter)) == "transmitter");
    CHECK(std::string(bind_type_name(BindType::transceiver)) == "transceiver");
}

TEST_CASE("make_response: each request gets its own response, the rest generic_nack") {
    auto r = make_response(0x00000004, 17, status::throttled, "M1");
    CHECK(r.sequence_number == 17);
    CHECK(r.command_status == status::throttled);
    CHECK(r.command_id() == 0x80000004);
    CHECK(std::get<SubmitSmResp>(r.body).message_id == "M1");
    CHECK(std::get<DeliverSmResp>(make_response(0x00000005, 1, 0, "D").body).message_id == "D");
    CHECK(std::get<DataSmResp>(make_response(0x00000103, 1, 0, "X").body).message_id == "X");
    CHECK(make_response(0x00000001, 1, 0).command_id() == 0x80000001);
    CHECK(make_response(0x00000002, 1, 0).command_id() == 0x80000002);
    CHECK(make_response(0x00000009, 1, 0).command_id() == 0x80000009);
    CHECK(make_response(0x00000006, 1, 0).command_id() == 0x80000006);
    CHECK(make_response(0x00000015, 1, 0).command_id() == 0x80000015);
    // A request without a response of its own (an unknown one, outbind) gets generic_nack.
    CHECK(make_response(0x000000ff, 9, status::invcmdid).command_id() == 0x80000000);
    CHECK(make_response(0x0000000B, 9, status::invcmdid).command_id() == 0x80000000);
}

}  // namespace pdu_test
