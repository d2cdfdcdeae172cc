// The SMS sender against a real outbox (a temporary SQLite file): parts built as the SMSC
// expects them, outcomes recorded durably, throttling pausing the sender, receipts applied.
#include "engine/sms/SmsSender.hpp"

#include <doctest/doctest.h>

#include "engine/EngineTestSupport.hpp"

namespace sms_sender_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using Clock = std::chrono::steady_clock;

namespace {

struct Sender : ussdgw::test::StorageHarness {
    struct Sent {
        SubmitSm sm;
        std::function<void(sms::PartOutcome)> done;
    };
    sms::SmsConfig cfg;
    std::vector<Sent> sent;
    Clock::time_point now = Clock::now();
    std::unique_ptr<sms::SmsSender> sender;

    Sender() {
        cfg.source_address = "A1";
        sender = std::make_unique<sms::SmsSender>(
            cfg, *st,
            [this](std::int64_t, SubmitSm sm, std::function<void(sms::PartOutcome)> done) {
                sent.push_back({std::move(sm), std::move(done)});
            },
            [this] { return now; });
    }

    std::int64_t enqueue(const std::string& text) { return ussdgw::test::enqueue_sms(*this, text); }
    storage::OutboxStatus status(std::int64_t id) { return ussdgw::test::outbox_status(*this, id); }
    void poll_until_sent(std::size_t n) {
        sender->poll();
        REQUIRE(loop.run_until([&] { return sent.size() >= n; }));
    }
    void settle() {
        REQUIRE(loop.run_until([&] { return sender->in_flight() == 0; }));
    }
    std::chrono::milliseconds cfg_storage_lease() const { return st->config().outbox_claim_lease; }
};

sms::PartOutcome accepted(std::string id) {
    return {sms::PartOutcome::Kind::accepted, 0, std::move(id), {}};
}
// 85 UCS2 characters: two concatenated parts.
std::string two_part_text() {
    std::string ru;
    for (int i = 0; i < 5; ++i)
        ru += "Пароль для входа ";
    return ru;
}

sms::PartOutcome refused(std::uint32_t status) {
    return {sms::PartOutcome::Kind::refused, status, {}, {}};
}

}  // namespace

TEST_CASE("receipts are read from TLVs or from the classic text") {
    DeliverSm r;
    r.esm_class = 0x04;
    r.tlvs.receipted_message_id = "ab12";
    r.tlvs.message_state = 2;
    auto a = sms::parse_receipt(r);
    REQUIRE(a);
    CHECK(a->message_id == "ab12");
    CHECK(a->stat == "DELIVRD");

    DeliverSm t;
    t.esm_class = 0x04;
    t.short_message =
        "id:0000beef sub:001 dlvrd:001 submit date:2611242200 done date:2611242201 "
        "stat:UNDELIV err:001 text:Пароль";
    auto b = sms::parse_receipt(t);
    REQUIRE(b);
    CHECK(b->message_id == "0000beef");
    CHECK(b->stat == "UNDELIV");

    DeliverSm mo;  // an ordinary mobile-originated SMS
    mo.short_message = "id:1 stat:DELIVRD";
    CHECK_FALSE(sms::parse_receipt(mo));
}

TEST_CASE("parts: one GSM part, or concatenated UCS2 parts with a UDH") {
    sms::SmsConfig cfg;
    auto one = sms::build_parts(cfg, "375291000001", "Password: abc123", 9);
    REQUIRE(one.size() == 1);
    CHECK(one[0].data_coding == 0);
    CHECK(one[0].esm_class == 0);
    CHECK(one[0].registered_delivery == 1);
    CHECK(one[0].source.ton == 5);
    CHECK(one[0].destination.address == "375291000001");
    CHECK(one[0].short_message == "Password: abc123");

    std::string ru;
    for (int i = 0; i < 10; ++i)
        ru += "Пароль для входа ";  // 170 UCS2 characters
    auto many = sms::build_parts(cfg, "375291000001", ru, 9);
    REQUIRE(many.size() == 3);
    for (std::size_t i = 0; i < many.size(); ++i) {
        CHECK(many[i].data_coding == 8);
        CHECK(many[i].esm_class == 0x40);
        const std::string& m = many[i].short_message;
        REQUIRE(m.size() > 6);
        CHECK(m.substr(0, 6) == std::string("\x05\x00\x03\x09\x03", 5) + static_cast<char>(i + 1));
        CHECK(m.size() <= 140);
    }
    CHECK(one[0].validity_period == "000000040000000R");  // 4 hours, relative (SMPP 3.4 7.1.1)
    sms::SmsConfig digits;
    digits.source_address = "411";
    CHECK(sms::build_parts(digits, "375291000001", "x", 1)[0].source.ton == 1);
}

TEST_CASE("a message accepted by the SMSC is submitted, then delivered by its receipt") {
    Sender s;
    auto id = s.enqueue("Пароль для входа в Личный кабинет: abcd2345");
    s.poll_until_sent(1);
    CHECK(s.sent[0].sm.data_coding == 8);
    CHECK(s.status(id).state == storage::OutboxState::sending);
    s.sent[0].done(accepted("m-1"));
    s.settle();
    CHECK(s.status(id).state == storage::OutboxState::submitted);

    DeliverSm receipt;
    receipt.esm_class = 0x04;
    receipt.tlvs.receipted_message_id = "m-1";
    receipt.tlvs.message_state = 2;
    CHECK(s.sender->on_receipt(receipt));
    REQUIRE(
        s.loop.run_until([&] { return s.status(id).state == storage::OutboxState::delivered; }));
    CHECK(s.sender->stats().receipts == 1);
}

TEST_CASE("throttling defers the message without counting an attempt and pauses the sender") {
    Sender s;
    auto id = s.enqueue("short");
    s.poll_until_sent(1);
    s.sent[0].done(refused(status::throttled));
    s.settle();
    auto st = s.status(id);
    CHECK(st.state == storage::OutboxState::pending);
    CHECK(st.attempts == 0);
    CHECK(s.sender->paused());
    s.now += s.cfg.throttle_pause + std::chrono::milliseconds(1);
    CHECK_FALSE(s.sender->paused());
}

TEST_CASE("a permanent refusal fails the message; a timeout is retried later") {
    Sender s;
    auto bad = s.enqueue("to a bad address");
    s.poll_until_sent(1);
    s.sent[0].done(refused(status::invdstadr));
    s.settle();
    CHECK(s.status(bad).state == storage::OutboxState::failed);

    auto later = s.enqueue("no answer");
    s.poll_until_sent(2);
    s.sent[1].done({sms::PartOutcome::Kind::no_answer, 0, {}, "response timeout"});
    s.settle();
    auto st = s.status(later);
    CHECK(st.state == storage::OutboxState::pending);
    CHECK(st.attempts == 1);
    CHECK(st.last_error == "response timeout");
}

TEST_CASE("a receipt between the parts' responses is not lost (issue 7 item 3)") {
    Sender s;
    auto id = s.enqueue(two_part_text());
    s.poll_until_sent(2);
    auto receipt = [](const std::string& smpp_id) {
        DeliverSm r;
        r.esm_class = 0x04;
        r.tlvs.receipted_message_id = smpp_id;
        r.tlvs.message_state = 2;
        return r;
    };
    // As an SMSC may send them in one TCP segment: resp 1, receipt 1, resp 2, receipt 2.
    s.sent[0].done(accepted("m-1"));
    CHECK(s.sender->on_receipt(receipt("m-1")));
    s.sent[1].done(accepted("m-2"));
    CHECK(s.sender->on_receipt(receipt("m-2")));
    s.settle();
    REQUIRE(
        s.loop.run_until([&] { return s.status(id).state == storage::OutboxState::delivered; }));
    auto st = s.status(id);
    CHECK(st.parts == 2);
    CHECK(st.parts_delivered == 2);
    CHECK_FALSE(st.has_body);

    // A receipt that overtakes even its own part's response is held and applied later.
    auto second = s.enqueue("short");
    s.poll_until_sent(3);
    CHECK(s.sender->on_receipt(receipt("m-3")));
    s.sent[2].done(accepted("m-3"));
    s.settle();
    REQUIRE(s.loop.run_until(
        [&] { return s.status(second).state == storage::OutboxState::delivered; }));
}

TEST_CASE("validity_period: the relative time format of SMPP 3.4 7.1.1") {
    using namespace std::chrono_literals;
    CHECK(sms::relative_validity(4h) == "000000040000000R");
    CHECK(sms::relative_validity(24h + 1h + 1min + 1s) == "000001010101000R");
    CHECK(sms::relative_validity(std::chrono::hours(24 * 30)) == "000030000000000R");
    CHECK(sms::relative_validity(0s).empty());  // the SMSC's default
    sms::SmsConfig none;
    none.validity_period = 0s;
    CHECK(sms::build_parts(none, "375291000001", "x", 1)[0].validity_period.empty());
}

TEST_CASE("a message whose lease ran out while it is still being sent is not sent twice") {
    Sender s;
    auto id = s.enqueue("slow link");
    s.poll_until_sent(1);
    // No answer yet, and the claim lease (15 s) has passed: the next poll claims it again.
    s.clock.advance(s.cfg_storage_lease() + std::chrono::milliseconds(1));
    s.sender->poll();
    REQUIRE(s.loop.run_until([&] { return s.sender->stats().claimed == 2; }));
    CHECK(s.sent.size() == 1);  // not submitted a second time
    CHECK(s.sender->in_flight() == 1);
    s.sent[0].done(accepted("m-9"));
    s.settle();
    CHECK(s.status(id).state == storage::OutboxState::submitted);
}

// A two-part SMS whose second part was throttled (or got no answer) used to send both parts
// again, so the SMSC got part 1 twice (tests/interop/sms_faults_node_test.js checks it end to
// end, counting parts on the SMSC side).
TEST_CASE("a retry sends only the parts the SMSC has not accepted") {
    Sender s;
    auto id = s.enqueue(two_part_text());
    s.poll_until_sent(2);
    s.sent[0].done(accepted("m-1"));
    s.sent[1].done(refused(status::throttled));
    s.settle();
    CHECK(s.status(id).state == storage::OutboxState::pending);

    // After the pause only part 2 goes again, with the same concatenation header.
    s.now += s.cfg.throttle_pause + std::chrono::milliseconds(1);
    s.clock.advance(s.cfg.throttle_pause + std::chrono::milliseconds(1));
    s.poll_until_sent(3);
    CHECK(s.sent.size() == 3);
    CHECK(s.sent[2].sm.short_message == s.sent[1].sm.short_message);
    // It gets no answer: the attempt fails, and the next one again sends part 2 alone.
    s.sent[2].done({sms::PartOutcome::Kind::no_answer, 0, {}, "response timeout"});
    s.settle();
    CHECK(s.status(id).attempts == 1);
    s.clock.advance(std::chrono::minutes(1));
    s.poll_until_sent(4);
    CHECK(s.sent.size() == 4);
    CHECK(s.sent[3].sm.short_message == s.sent[1].sm.short_message);
    s.sent[3].done(accepted("m-2"));
    s.settle();
    auto st = s.status(id);
    CHECK(st.state == storage::OutboxState::submitted);
    CHECK(st.parts == 2);
}

}  // namespace sms_sender_test
