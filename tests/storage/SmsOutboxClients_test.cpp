// Integrators' SMS in the outbox: queued under their message id with a per-account cap,
// bodies sealed, receipts owed filled when the message is final (delivered, failed by a
// receipt, refused for good, attempts exhausted), read until acknowledged, never after.
#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace sms_outbox_clients_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {
struct Fixture : OutboxFixture {
    ClientSms sms(const std::string& id, int receipt = 1, const std::string& account = "shop") {
        ClientSms c;
        c.account = account;
        c.client_message_id = id;
        c.msisdn = msisdn("375291000001");
        c.body = "secret body " + id;
        c.receipt = receipt;
        c.subscriber = "375291000001";
        c.reply_ton = 5;
        c.reply_to = "SHOP";
        return c;
    }
    // Claims, submits as one part with `smpp_id`, and applies a receipt with `stat`.
    void deliver(std::int64_t id, const std::string& smpp_id, const char* stat) {
        auto b = box();
        auto claimed = b.claim_due(t, 100);
        REQUIRE(claimed.ok());
        REQUIRE(b.mark_submitted(id, {smpp_id}, t).ok());
        REQUIRE(b.apply_receipt(smpp_id, stat, t + 5000).ok());
    }
    std::vector<ClientReceipt> due(const std::string& account = "shop") {
        auto r = box().client_receipts_due(account, 100);
        REQUIRE(r.ok());
        return *r;
    }
};
}  // namespace

TEST_CASE("an integrator's SMS is queued sealed, claimed with its body, under its id") {
    Fixture f;
    auto b = f.box();
    auto id = b.enqueue_client(f.sms("m1"), 10, f.t);
    REQUIRE(id.ok());
    auto q = f.db->query("SELECT body, kind, account, client_message_id FROM sms_outbox");
    REQUIRE(*q->step());
    CHECK(q->blob(0).find("secret") == std::string::npos);
    CHECK(q->text(1) == "integrator");
    CHECK(q->text(2) == "shop");
    CHECK(q->text(3) == "m1");
    auto claimed = b.claim_due(f.t, 10);
    REQUIRE(claimed.ok());
    REQUIRE(claimed->size() == 1);
    CHECK(claimed->front().text == "secret body m1");
    // The same id twice is refused (ids are unique).
    CHECK_FALSE(b.enqueue_client(f.sms("m1"), 10, f.t).ok());
}

TEST_CASE("the account's cap counts messages waiting to leave, not others'") {
    Fixture f;
    auto b = f.box();
    REQUIRE(b.enqueue_client(f.sms("a1"), 2, f.t).ok());
    REQUIRE(b.enqueue_client(f.sms("a2"), 2, f.t).ok());
    auto full = b.enqueue_client(f.sms("a3"), 2, f.t);
    REQUIRE_FALSE(full.ok());
    CHECK(full.error().code == "sms.queue_full");
    CHECK(b.enqueue_client(f.sms("b1", 1, "other"), 2, f.t).ok());
    CHECK(*b.count_client_queued("shop") == 2);
    // Once handed to the SMSC a message no longer counts.
    auto claimed = b.claim_due(f.t, 1);
    REQUIRE(claimed->size() == 1);
    REQUIRE(b.mark_submitted(claimed->front().id, {"x1"}, f.t).ok());
    CHECK(b.enqueue_client(f.sms("a3"), 2, f.t).ok());
}

TEST_CASE("the receipt is owed once the message is delivered, until acknowledged") {
    Fixture f;
    auto id = f.box().enqueue_client(f.sms("m1"), 10, f.t);
    REQUIRE(id.ok());
    CHECK(f.due().empty());  // not final yet
    f.deliver(*id, "smsc-1", "DELIVRD");
    auto d = f.due();
    REQUIRE(d.size() == 1);
    CHECK(d[0].client_message_id == "m1");
    CHECK(d[0].stat == "DELIVRD");
    CHECK(d[0].parts == 1);
    CHECK(d[0].reply_to == "SHOP");
    CHECK(d[0].reply_ton == 5);
    CHECK(d[0].subscriber == "375291000001");
    CHECK(d[0].submitted_at_ms == f.t);
    CHECK(d[0].done_at_ms == f.t + 5000);
    CHECK(f.due("other").empty());
    REQUIRE(f.box().ack_client_receipt(d[0].id, f.t + 6000).ok());
    CHECK(f.due().empty());
    // Acknowledged twice: not found, nothing changes.
    CHECK_FALSE(f.box().ack_client_receipt(d[0].id, f.t + 7000).ok());
    // A late duplicate receipt from the SMSC makes no new one.
    REQUIRE(f.box().apply_receipt("smsc-1", "DELIVRD", f.t + 8000).ok());
    CHECK(f.due().empty());
}

TEST_CASE("failures owe a receipt with the stat that ended the message") {
    Fixture f;
    auto b = f.box();
    auto undeliv = b.enqueue_client(f.sms("u1"), 10, f.t);
    f.deliver(*undeliv, "smsc-u", "EXPIRED");
    auto refused = b.enqueue_client(f.sms("r1"), 10, f.t);
    REQUIRE(b.claim_due(f.t, 10).ok());
    REQUIRE(b.mark_failed(*refused, "command_status 0x0000000b", true, f.t).ok());
    auto exhausted = b.enqueue_client(f.sms("x1"), 10, f.t);
    for (int i = 0; i < 3; ++i) {  // policy: 3 attempts
        REQUIRE(b.claim_due(f.t + 10'000'000, 10).ok());
        REQUIRE(b.mark_failed(*exhausted, "no answer", false, f.t).ok());
    }
    auto d = f.due();
    REQUIRE(d.size() == 3);
    CHECK(d[0].stat == "EXPIRED");
    CHECK(d[1].stat == "REJECTD");
    CHECK(d[2].stat == "UNDELIV");
}

TEST_CASE("no receipt unless asked; on failure only when asked so") {
    Fixture f;
    auto b = f.box();
    auto none = b.enqueue_client(f.sms("n1", 0), 10, f.t);
    f.deliver(*none, "s-n", "DELIVRD");
    auto fail_only = b.enqueue_client(f.sms("f1", 2), 10, f.t);
    f.deliver(*fail_only, "s-f", "DELIVRD");
    CHECK(f.due().empty());
    auto fail_only2 = b.enqueue_client(f.sms("f2", 2), 10, f.t);
    f.deliver(*fail_only2, "s-f2", "UNDELIV");
    auto d = f.due();
    REQUIRE(d.size() == 1);
    CHECK(d[0].client_message_id == "f2");
}

TEST_CASE("the engine's own SMS owe no integrator receipt") {
    Fixture f;
    auto b = f.box();
    auto id = b.enqueue(msisdn("375291000001"), "password", "Пароль: k3x9", f.t);
    f.deliver(*id, "s-p", "DELIVRD");
    auto q = f.db->query("SELECT count(*) FROM sms_client_receipts");
    REQUIRE(*q->step());
    CHECK(q->int64(0) == 0);
}

}  // namespace sms_outbox_clients_test
