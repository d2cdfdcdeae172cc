// PduEncoder: what does not fit the wire is refused (never truncated), and encode appends.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "SamplePdus.hpp"
#include "smpp/PduCodec.hpp"

namespace pdu_encoder_test {

using namespace ussdgw::smpp;
using ussdgw::smpp::test::bind;
using ussdgw::smpp::test::pdu;

TEST_CASE("encode refuses what does not fit, never truncates") {
    std::vector<std::uint8_t> out{0xAA};
    SubmitSm s;
    s.source.address = std::string(21, '1');
    auto st = encode(pdu(s), out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == "encode.field_too_long");
    CHECK(out.size() == 1);  // nothing appended
    s.source.address = "1";
    s.short_message = std::string(255, 'x');
    CHECK_FALSE(encode(pdu(s)).ok());
    s.short_message = "x";
    s.service_type = "USSD12";
    CHECK_FALSE(encode(pdu(s)).ok());
    s.service_type = std::string("a\0b", 3);
    CHECK(encode(pdu(s)).error().code == "encode.bad_field");
    CHECK_FALSE(encode(pdu(bind(BindType::transmitter, std::string(16, 's')))).ok());
    CHECK_FALSE(encode(pdu(bind(BindType::transmitter, "s", "123456789"))).ok());
    CHECK_FALSE(encode(pdu(SubmitSmResp{std::string(65, 'm')})).ok());
    DataSm d;
    d.destination.address = std::string(65, '1');
    CHECK_FALSE(encode(pdu(d)).ok());
    DeliverSm dl;
    dl.tlvs.message_payload = std::string(65536, 'p');
    CHECK_FALSE(encode(pdu(dl)).ok());
    dl.tlvs.message_payload.reset();
    dl.tlvs.receipted_message_id = std::string(65, 'r');
    CHECK_FALSE(encode(pdu(dl)).ok());
    // encode appends: two PDUs in one buffer frame one after the other
    out.clear();
    REQUIRE(encode(pdu(EnquireLink{}, 1), out).ok());
    REQUIRE(encode(pdu(SubmitSmResp{"42"}, 2), out).ok());
    auto first = frame_length(out);
    REQUIRE(first.kind == FrameLength::Kind::frame);
    auto second = frame_length(std::span(out).subspan(first.length));
    REQUIRE(second.kind == FrameLength::Kind::frame);
    CHECK(first.length + second.length == out.size());
    auto p = decode(std::span(out).subspan(first.length, second.length));
    REQUIRE(p.ok());
    CHECK(std::get<SubmitSmResp>(p->body).message_id == "42");
}

}  // namespace pdu_encoder_test
