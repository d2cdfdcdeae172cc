// The SMS outbox: durable acceptance, claims with leases, retries with backoff, throttling,
// receipts by SMPP message id, bodies erased when final.
#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace sms_outbox_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

TEST_CASE("backoff doubles up to the cap") {
    OutboxPolicy p{10, std::chrono::milliseconds(5), std::chrono::milliseconds(30),
                   std::chrono::milliseconds(1)};
    CHECK(outbox_backoff(p, 1).count() == 5);
    CHECK(outbox_backoff(p, 2).count() == 10);
    CHECK(outbox_backoff(p, 3).count() == 20);
    CHECK(outbox_backoff(p, 4).count() == 30);
    CHECK(outbox_backoff(p, 40).count() == 30);
}

TEST_CASE("a message goes pending -> sending -> submitted -> delivered") {
    OutboxFixture f;
    auto box = f.box();
    auto id = box.enqueue(msisdn("375291000001"), "password", "Пароль: k3x9", f.t);
    REQUIRE(id.ok());
    CHECK(f.status(*id).state == OutboxState::pending);
    // the body is not stored in clear
    auto q = f.db->query("SELECT body FROM sms_outbox WHERE id = ?");
    q->bind(1, *id);
    REQUIRE(*q->step());
    CHECK(q->blob(0).find("k3x9") == std::string::npos);

    auto claimed = box.claim_due(f.t, 10);
    REQUIRE(claimed.ok());
    REQUIRE(claimed->size() == 1);
    CHECK(claimed->front().text == "Пароль: k3x9");
    CHECK(box.claim_due(f.t + 1, 10)->empty());  // leased
    REQUIRE(box.mark_submitted(*id, {"abc1", "abc2"}, f.t + 10).ok());
    auto s = f.status(*id);
    CHECK(s.state == OutboxState::submitted);
    CHECK(s.parts == 2);
    CHECK(s.attempts == 1);
    auto r1 = box.apply_receipt("abc1", "DELIVRD", f.t + 20);
    REQUIRE(r1.ok());
    CHECK(r1->message_id == *id);
    CHECK(r1->message_state == OutboxState::submitted);
    auto r2 = box.apply_receipt("abc2", "DELIVRD", f.t + 30);
    REQUIRE(r2.ok());
    CHECK(r2->message_state == OutboxState::delivered);
    s = f.status(*id);
    CHECK(s.state == OutboxState::delivered);
    CHECK(s.parts_delivered == 2);
    CHECK_FALSE(s.has_body);  // erased once final
    // A receipt that matches no part is held, not dropped.
    CHECK(box.apply_receipt("nope", "DELIVRD", f.t)->held);
}

TEST_CASE("a receipt that overtakes its part's response is held, then applied") {
    OutboxFixture f;
    auto box = f.box();
    auto id = *box.enqueue(msisdn("375291000001"), "password", "two parts", f.t);
    REQUIRE(box.claim_due(f.t, 1)->size() == 1);
    // Part 1 answered and recorded at once; its receipt comes before part 2 is answered.
    REQUIRE(box.record_part(id, 1, 2, "p1", f.t + 1).ok());
    auto r1 = box.apply_receipt("p1", "DELIVRD", f.t + 2);
    REQUIRE(r1.ok());
    CHECK_FALSE(r1->held);
    CHECK(r1->message_state == OutboxState::sending);  // part 2 not answered yet
    // Part 2's receipt overtakes part 2's response (another connection, or a busy writer).
    auto r2 = box.apply_receipt("p2", "DELIVRD", f.t + 3);
    REQUIRE(r2.ok());
    CHECK(r2->held);
    CHECK(*box.count_held_receipts(f.t + 3) == 1);
    CHECK(f.status(id).state == OutboxState::sending);
    REQUIRE(box.record_part(id, 2, 2, "p2", f.t + 4).ok());
    CHECK(*box.count_held_receipts(f.t + 4) == 0);
    CHECK(f.status(id).parts_delivered == 2);
    CHECK(f.status(id).has_body);  // not final before the attempt is reported
    REQUIRE(box.mark_submitted(id, {"p1", "p2"}, f.t + 5).ok());
    auto s = f.status(id);
    CHECK(s.state == OutboxState::delivered);
    CHECK(s.parts == 2);
    CHECK_FALSE(s.has_body);
}

TEST_CASE("a claim whose lease runs out mid-send keeps the parts and receipts recorded") {
    OutboxFixture f;
    auto box = f.box();
    auto id = *box.enqueue(msisdn("375291000001"), "password", "two parts", f.t);
    REQUIRE(box.claim_due(f.t, 1)->size() == 1);
    REQUIRE(box.record_part(id, 1, 2, "p1", f.t + 1).ok());
    REQUIRE(box.apply_receipt("p1", "DELIVRD", f.t + 2).ok());
    // The sender is still waiting for part 2 when the lease runs out and it claims again.
    REQUIRE(box.claim_due(f.t + 60'000, 1)->size() == 1);
    REQUIRE(box.record_part(id, 2, 2, "p2", f.t + 60'001).ok());
    REQUIRE(box.mark_submitted(id, {"p1", "p2"}, f.t + 60'002).ok());
    CHECK(f.status(id).parts_delivered == 1);  // part 1's receipt was not lost
    CHECK(box.apply_receipt("p2", "DELIVRD", f.t + 60'003)->message_state ==
          OutboxState::delivered);
}

TEST_CASE("held receipts expire after the claim lease") {
    OutboxFixture f;
    auto box = f.box();
    REQUIRE(box.apply_receipt("stray", "DELIVRD", f.t)->held);
    CHECK(*box.count_held_receipts(f.t + 59'999) == 1);
    CHECK(*box.count_held_receipts(f.t + 60'000) == 0);  // lease = 60 s in this fixture
    auto id = *box.enqueue(msisdn("375291000001"), "password", "x", f.t);
    REQUIRE(box.claim_due(f.t + 60'000, 1)->size() == 1);
    REQUIRE(box.record_part(id, 1, 1, "stray", f.t + 60'001).ok());
    CHECK(f.status(id).parts_delivered == 0);  // the expired receipt was not applied
    REQUIRE(box.mark_submitted(id, {"stray"}, f.t + 60'002).ok());
    // A part of a message that is not being sent is not recorded.
    CHECK(box.record_part(id, 1, 1, "late", f.t + 60'003).error().code == "not_found");
}

// A part the SMSC accepted must not reach it again: an attempt that fails or is throttled
// on another part keeps the accepted parts' ids, and the next claim says which they are.
TEST_CASE("parts accepted in a failed or throttled attempt keep their ids for the retry") {
    OutboxFixture f;
    auto box = f.box();
    auto id = *box.enqueue(msisdn("375291000001"), "password", "three parts", f.t);
    auto first = box.claim_due(f.t, 1);
    REQUIRE(first->size() == 1);
    CHECK(first->front().part_ids.empty());
    // Part 2 accepted, part 1 throttled: deferred.
    REQUIRE(box.record_part(id, 2, 3, "p2", f.t + 1).ok());
    REQUIRE(box.defer(id, std::chrono::milliseconds(500), f.t + 2).ok());
    auto second = box.claim_due(f.t + 502, 1);
    REQUIRE(second->size() == 1);
    REQUIRE(second->front().part_ids.size() == 2);
    CHECK_FALSE(second->front().part_ids[0]);
    CHECK(second->front().part_ids[1] == std::optional<std::string>("p2"));
    // Part 2's receipt comes while the others are retried; part 1 is accepted, part 3 gets
    // no answer: the attempt fails.
    REQUIRE(box.apply_receipt("p2", "DELIVRD", f.t + 503).ok());
    REQUIRE(box.record_part(id, 1, 3, "p1", f.t + 504).ok());
    REQUIRE(box.mark_failed(id, "response timeout", false, f.t + 505).ok());
    CHECK(f.status(id).state == OutboxState::pending);
    auto third = box.claim_due(f.t + 10'000, 1);
    REQUIRE(third->size() == 1);
    REQUIRE(third->front().part_ids.size() == 2);
    CHECK(third->front().part_ids[0] == std::optional<std::string>("p1"));
    CHECK(third->front().part_ids[1] == std::optional<std::string>("p2"));
    REQUIRE(box.mark_submitted(id, {"p1", "p2", "p3"}, f.t + 10'001).ok());
    CHECK(f.status(id).parts_delivered == 1);  // part 2's receipt was kept
    REQUIRE(box.apply_receipt("p1", "DELIVRD", f.t + 10'002).ok());
    CHECK(box.apply_receipt("p3", "DELIVRD", f.t + 10'003)->message_state ==
          OutboxState::delivered);
}

TEST_CASE("an undeliverable receipt fails the message") {
    OutboxFixture f;
    auto box = f.box();
    auto id = *box.enqueue(msisdn("375291000001"), "password", "x", f.t);
    REQUIRE(box.claim_due(f.t, 1)->size() == 1);
    REQUIRE(box.mark_submitted(id, {"m1"}, f.t).ok());
    CHECK(box.apply_receipt("m1", "ENROUTE", f.t)->message_state == OutboxState::submitted);
    CHECK(box.apply_receipt("m1", "UNDELIV", f.t)->message_state == OutboxState::failed);
    CHECK(f.status(id).state == OutboxState::failed);
}

TEST_CASE("failed attempts retry with backoff, then fail; throttling is not an attempt") {
    OutboxFixture f;
    auto box = f.box();
    auto id = *box.enqueue(msisdn("375291000001"), "password", "x", f.t);
    REQUIRE(box.claim_due(f.t, 1)->size() == 1);
    REQUIRE(box.defer(id, std::chrono::milliseconds(500), f.t).ok());
    auto s = f.status(id);
    CHECK(s.state == OutboxState::pending);
    CHECK(s.attempts == 0);
    CHECK(box.claim_due(f.t + 499, 1)->empty());
    REQUIRE(box.claim_due(f.t + 500, 1)->size() == 1);
    REQUIRE(box.mark_failed(id, "ESME_RSYSERR", false, f.t + 500).ok());
    s = f.status(id);
    CHECK(s.attempts == 1);
    CHECK(s.next_attempt_at_ms == f.t + 1500);
    CHECK(s.last_error == "ESME_RSYSERR");
    CHECK(box.claim_due(f.t + 1499, 1)->empty());
    REQUIRE(box.claim_due(f.t + 1500, 1)->size() == 1);
    REQUIRE(box.mark_failed(id, "timeout", false, f.t + 1500).ok());
    CHECK(f.status(id).next_attempt_at_ms == f.t + 3500);
    REQUIRE(box.claim_due(f.t + 3500, 1)->size() == 1);
    REQUIRE(box.mark_failed(id, "timeout", false, f.t + 3500).ok());
    s = f.status(id);
    CHECK(s.state == OutboxState::failed);  // max_attempts = 3
    CHECK_FALSE(s.has_body);
    CHECK(box.claim_due(f.t + 100000, 1)->empty());
    // a permanent error fails at once
    auto id2 = *box.enqueue(msisdn("375291000001"), "password", "x", f.t);
    REQUIRE(box.claim_due(f.t, 1)->size() == 1);
    REQUIRE(box.mark_failed(id2, "ESME_RINVDSTADR", true, f.t).ok());
    CHECK(f.status(id2).state == OutboxState::failed);
}

TEST_CASE("a claim whose sender died is claimed again after the lease") {
    OutboxFixture f;
    auto box = f.box();
    auto id = *box.enqueue(msisdn("375291000001"), "password", "x", f.t);
    REQUIRE(box.claim_due(f.t, 1)->size() == 1);
    CHECK(box.claim_due(f.t + 59999, 1)->empty());
    auto again = box.claim_due(f.t + 60000, 1);
    REQUIRE(again->size() == 1);
    CHECK(again->front().id == id);
}

TEST_CASE("a message accepted before a restart is still pending after it") {
    TempDir dir;
    StorageConfig cfg = test_config(dir);
    import_csv(cfg, kSampleCsv);
    std::int64_t id = 0;
    {
        auto st = Storage::open(cfg);
        REQUIRE(st.ok());
        auto r = wait_for<PasswordIssued>([&](auto done) {
            (*st)->cabinet().issue_password(msisdn("375291000001"), Channel::ussd, done);
        });
        REQUIRE(r.ok());
        id = r->outbox_id;
    }
    auto st = Storage::open(cfg);
    REQUIRE(st.ok());
    auto claimed = wait_for<std::vector<OutboxMessage>>([&](auto done) {
        (*st)->with_outbox<std::vector<OutboxMessage>>(
            [](SmsOutbox& o, std::int64_t now) { return o.claim_due(now, 10); }, done);
    });
    REQUIRE(claimed.ok());
    REQUIRE(claimed->size() == 1);
    CHECK(claimed->front().id == id);
    CHECK(claimed->front().msisdn == msisdn("375291000001"));
    CHECK(claimed->front().text.find("Личный кабинет") != std::string::npos);
}

}  // namespace sms_outbox_test
