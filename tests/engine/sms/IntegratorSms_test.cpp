// An integrator's SMS, sans-I/O: what is read from submit_sm / data_sm (and refused), the
// outbox body round trip, the parts it leaves as (UDH and data_coding kept, long texts
// split), and the receipt deliver_sm.
#include "engine/sms/IntegratorSms.hpp"

#include <doctest/doctest.h>

#include "engine/base/GsmText.hpp"

namespace integrator_sms_test {

using namespace ussdgw;
using namespace ussdgw::sms;

namespace {
smpp::Pdu submit(std::string text, std::uint8_t dc = 0, std::string to = "375291000001") {
    smpp::SubmitSm s;
    s.source = {5, 0, "SHOP"};
    s.destination = {1, 1, std::move(to)};
    s.registered_delivery = 1;
    s.data_coding = dc;
    s.short_message = std::move(text);
    return smpp::Pdu{0, 1, s};
}
std::uint32_t refusal(const smpp::Pdu& p) {
    auto r = read_integrator_sms(p);
    REQUIRE_FALSE(r.ok());
    return r.error().status;
}
}  // namespace

TEST_CASE("a submit_sm is read with its addresses, coding and receipt wish") {
    auto r = read_integrator_sms(submit("hello"));
    REQUIRE(r.ok());
    CHECK(r->source.address == "SHOP");
    CHECK(r->destination.address == "375291000001");
    CHECK(r->octets == "hello");
    CHECK(r->registered_delivery == 1);
    auto c = client_sms(*r, "shop", "abc1", storage::Msisdn::from_number(375291000001));
    CHECK(c.receipt == 1);
    CHECK(c.reply_to == "SHOP");
    CHECK(c.subscriber == "375291000001");
    CHECK(c.body.find("hello") != std::string::npos);  // sealed by the outbox, not here
}

TEST_CASE("a data_sm carries its text in message_payload") {
    smpp::DataSm d;
    d.source = {1, 1, "12345"};
    d.destination = {1, 1, "375291000002"};
    d.data_coding = 8;
    d.tlvs.message_payload = gsm::to_ucs2("Привет");
    auto r = read_integrator_sms(smpp::Pdu{0, 2, d});
    REQUIRE(r.ok());
    CHECK(r->data_coding == 8);
    CHECK(r->octets == gsm::to_ucs2("Привет"));
}

TEST_CASE("what cannot be relayed is refused with the status that says why") {
    CHECK(refusal(submit("hi", 0, "+375291000001")) == smpp::status::invdstadr);
    CHECK(refusal(submit("hi", 0, "12")) == smpp::status::invdstadr);
    CHECK(refusal(submit("")) == smpp::status::invmsglen);
    auto scheduled = submit("hi");
    std::get<smpp::SubmitSm>(scheduled.body).schedule_delivery_time = "261201000000000+";
    CHECK(refusal(scheduled) == smpp::status::invsched);
    auto receipt = submit("id:1 stat:DELIVRD");
    std::get<smpp::SubmitSm>(receipt.body).esm_class = 0x04;
    CHECK(refusal(receipt) == smpp::status::invesmclass);
    auto both = submit("hi");
    std::get<smpp::SubmitSm>(both.body).tlvs.message_payload = "more";
    CHECK(refusal(both) == smpp::status::invmsglen);
    CHECK(refusal(smpp::Pdu{0, 3, smpp::DeliverSm{}}) == smpp::status::invcmdid);
    // a long binary text cannot be split (no alphabet to split it in)
    auto binary = submit("");
    auto& b = std::get<smpp::SubmitSm>(binary.body);
    b.data_coding = 0x02;
    b.tlvs.message_payload = std::string(300, '\x01');
    CHECK(refusal(binary) == smpp::status::invmsglen);
}

TEST_CASE("the outbox body round-trips, and a damaged one is an error") {
    auto r = read_integrator_sms(submit("hello"));
    REQUIRE(r.ok());
    r->sar_msg_ref_num = 0x1234;
    r->sar_segment_seqnum = 2;
    auto body = encode_body(*r);
    auto back = decode_body(body);
    REQUIRE(back.ok());
    CHECK(*back == *r);
    CHECK_FALSE(decode_body(body.substr(0, body.size() - 3)).ok());
    CHECK_FALSE(decode_body(body + "x").ok());
    CHECK_FALSE(decode_body("").ok());
}

TEST_CASE("a short message or one the integrator concatenated leaves as it came") {
    SmsConfig cfg;
    auto r = read_integrator_sms(submit(gsm::to_ucs2("Ваш заказ готов"), 8));
    REQUIRE(r.ok());
    auto parts = integrator_parts(cfg, *r, 7);
    REQUIRE(parts.ok());
    REQUIRE(parts->size() == 1);
    CHECK((*parts)[0].data_coding == 8);
    CHECK((*parts)[0].short_message == gsm::to_ucs2("Ваш заказ готов"));
    CHECK((*parts)[0].source.address == "SHOP");
    CHECK((*parts)[0].registered_delivery == 1);
    CHECK((*parts)[0].esm_class == 0);
    // UDHI set: the integrator's own part (its UDH inside), passed through.
    std::string udh = std::string("\x05\x00\x03\x2a\x02\x01", 6);
    auto own = submit(udh + std::string(153, 'a'));
    std::get<smpp::SubmitSm>(own.body).esm_class = 0x40;
    auto o = read_integrator_sms(own);
    REQUIRE(o.ok());
    auto op = integrator_parts(cfg, *o, 7);
    REQUIRE(op.ok());
    REQUIRE(op->size() == 1);
    CHECK((*op)[0].esm_class == 0x40);
    CHECK((*op)[0].short_message == udh + std::string(153, 'a'));
}

TEST_CASE("a long text is split into concatenated parts in its own alphabet") {
    SmsConfig cfg;
    // GSM 7-bit, data_coding 0x00 kept: 200 septets -> 2 parts of 153 + 47.
    auto gsm_long = submit("");
    std::get<smpp::SubmitSm>(gsm_long.body).tlvs.message_payload = std::string(200, 'x');
    auto g = read_integrator_sms(gsm_long);
    REQUIRE(g.ok());
    auto gp = integrator_parts(cfg, *g, 9);
    REQUIRE(gp.ok());
    REQUIRE(gp->size() == 2);
    for (const auto& p : *gp) {
        CHECK(p.data_coding == 0);
        CHECK(p.esm_class == 0x40);
        CHECK(p.short_message.substr(0, 6) ==
              std::string("\x05\x00\x03\x09\x02", 5) + std::string(1, p.short_message[5]));
    }
    CHECK((*gp)[0].short_message.size() == 6 + 153);
    // UCS2 whose characters would all fit GSM 7-bit stays UCS2 (data_coding 8).
    auto ucs_long = submit("", 8);
    std::get<smpp::SubmitSm>(ucs_long.body).tlvs.message_payload =
        gsm::to_ucs2(std::string(100, 'y'));
    auto u = read_integrator_sms(ucs_long);
    REQUIRE(u.ok());
    auto up = integrator_parts(cfg, *u, 9);
    REQUIRE(up.ok());
    REQUIRE(up->size() == 2);  // 67 + 33 UCS2 characters
    CHECK((*up)[0].data_coding == 8);
    CHECK((*up)[0].short_message.size() == 6 + 134);
}

TEST_CASE("the receipt deliver_sm: esm_class, TLVs and the classic text") {
    storage::ClientReceipt r;
    r.client_message_id = "18c0a1b2c3d1";
    r.subscriber = "375291000001";
    r.reply_ton = 5;
    r.reply_to = "SHOP";
    r.stat = "DELIVRD";
    r.parts = 2;
    r.submitted_at_ms = 1'764'000'000'000;  // 2025-11-24 16:00 UTC
    r.done_at_ms = 1'764'000'060'000;
    auto d = receipt_deliver_sm(r);
    CHECK(d.esm_class == 0x04);
    CHECK(d.source.address == "375291000001");
    CHECK(d.destination.address == "SHOP");
    CHECK(d.destination.ton == 5);
    CHECK(d.tlvs.receipted_message_id == std::optional<std::string>("18c0a1b2c3d1"));
    CHECK(d.tlvs.message_state == std::optional<std::uint8_t>(2));
    CHECK(d.short_message ==
          "id:18c0a1b2c3d1 sub:002 dlvrd:002 submit date:2511241600 done date:2511241601 "
          "stat:DELIVRD err:000 text:");
    r.stat = "UNDELIV";
    CHECK(receipt_deliver_sm(r).tlvs.message_state == std::optional<std::uint8_t>(5));
    CHECK(receipt_deliver_sm(r).short_message.find("dlvrd:000") != std::string::npos);
    CHECK(message_state_of("REJECTD") == 8);
    CHECK(message_state_of("EXPIRED") == 3);
}

}  // namespace integrator_sms_test
