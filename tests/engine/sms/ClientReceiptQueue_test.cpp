// The receipts owed to integrators, sans-I/O: fed bindings, rows, answers, acks and time;
// each receipt is sent until it is answered, and never again once it was.
#include "engine/sms/ClientReceiptQueue.hpp"

#include <doctest/doctest.h>

namespace client_receipt_queue_test {

using namespace ussdgw;
using namespace ussdgw::sms;
using namespace std::chrono_literals;
using Kind = ClientReceiptQueue::Action::Kind;

namespace {
using TimePoint = ClientReceiptQueue::TimePoint;
const TimePoint t0 = TimePoint{} + 1h;

storage::ClientReceipt row(std::int64_t id) {
    storage::ClientReceipt r;
    r.id = id;
    r.account = "shop";
    r.client_message_id = "m" + std::to_string(id);
    r.stat = "DELIVRD";
    return r;
}

std::vector<std::int64_t> sent_ids(const ClientReceiptQueue::Actions& a) {
    std::vector<std::int64_t> out;
    for (const auto& x : a)
        if (x.kind == Kind::send) out.push_back(x.receipt.id);
    return out;
}

bool has(const ClientReceiptQueue::Actions& a, Kind k) {
    for (const auto& x : a)
        if (x.kind == k) return true;
    return false;
}

ClientReceiptQueue::Settings settings() {
    ClientReceiptQueue::Settings s;
    s.window = 2;
    s.poll = 1s;
    s.retry = 10s;
    return s;
}
}  // namespace

TEST_CASE("nothing is read while no session of the account can take a receipt") {
    ClientReceiptQueue q(settings());
    CHECK(q.bound("shop", false, t0).empty());
    CHECK(q.due("shop", t0).empty());
    CHECK(q.tick(t0 + 1h).empty());
    CHECK_FALSE(q.next_deadline());
}

TEST_CASE("a bound account is read at once, its receipts sent, acked once answered") {
    ClientReceiptQueue q(settings());
    auto a = q.bound("shop", true, t0);
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Kind::load);
    CHECK(a[0].account == "shop");
    CHECK(a[0].limit == 2);
    a = q.loaded("shop", {row(1), row(2), row(3)}, true, t0);
    CHECK(sent_ids(a) == std::vector<std::int64_t>{1, 2});  // the window
    CHECK(q.in_flight() == 2);
    a = q.answered("shop", 1, true, t0);
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Kind::ack);
    CHECK(a[0].receipt.id == 1);
    // A read while 1 is being acked and 2 unanswered: neither goes again.
    a = q.tick(t0 + 1s);
    REQUIRE(has(a, Kind::load));
    CHECK(a[0].limit == 4);
    a = q.loaded("shop", {row(1), row(2), row(3)}, true, t0 + 1s);
    CHECK(sent_ids(a) == std::vector<std::int64_t>{3});
    CHECK(q.acked("shop", 1, true, t0 + 1s).empty());  // 2 and 3 still out
    // An answer that came twice (or for a receipt not sent) does nothing.
    CHECK(q.answered("shop", 1, true, t0 + 1s).empty());
}

TEST_CASE("an unanswered receipt is read and sent again only after the retry pause") {
    ClientReceiptQueue q(settings());
    (void)q.bound("shop", true, t0);
    CHECK(sent_ids(q.loaded("shop", {row(7)}, true, t0)) == std::vector<std::int64_t>{7});
    CHECK(q.answered("shop", 7, false, t0 + 1s).empty());
    CHECK(q.in_flight() == 0);
    CHECK(q.tick(t0 + 5s).empty());
    REQUIRE(q.next_deadline());
    CHECK(*q.next_deadline() == t0 + 11s);
    // Even a receipt becoming due does not shorten the pause.
    CHECK(q.due("shop", t0 + 6s).empty());
    auto a = q.tick(t0 + 11s);
    REQUIRE(has(a, Kind::load));
    CHECK(sent_ids(q.loaded("shop", {row(7)}, true, t0 + 11s)) == std::vector<std::int64_t>{7});
}

TEST_CASE("after the session is lost, a rebind reads and sends again") {
    ClientReceiptQueue q(settings());
    (void)q.bound("shop", true, t0);
    (void)q.loaded("shop", {row(1)}, true, t0);
    CHECK(q.bound("shop", false, t0 + 1s).empty());
    CHECK(q.answered("shop", 1, false, t0 + 1s).empty());  // the connection was lost
    CHECK(q.tick(t0 + 30s).empty());                       // nobody to send to
    auto a = q.bound("shop", true, t0 + 30s);
    REQUIRE(has(a, Kind::load));
    CHECK(sent_ids(q.loaded("shop", {row(1)}, true, t0 + 30s)) == std::vector<std::int64_t>{1});
}

TEST_CASE("a read asked for while one runs follows it; a failed read waits the retry") {
    ClientReceiptQueue q(settings());
    (void)q.bound("shop", true, t0);
    CHECK(q.due("shop", t0).empty());  // already reading
    auto a = q.loaded("shop", {}, true, t0);
    CHECK(has(a, Kind::load));  // the read asked for meanwhile
    CHECK(q.loaded("shop", {}, false, t0).empty());
    CHECK(*q.next_deadline() == t0 + 10s);
}

TEST_CASE("when the window drains, what is left is read at once") {
    ClientReceiptQueue q(settings());
    (void)q.bound("shop", true, t0);
    (void)q.loaded("shop", {row(1), row(2), row(3)}, true, t0);
    (void)q.answered("shop", 1, true, t0);
    (void)q.answered("shop", 2, true, t0);
    CHECK(q.acked("shop", 1, true, t0).empty());
    auto a = q.acked("shop", 2, true, t0);
    REQUIRE(has(a, Kind::load));
    CHECK(sent_ids(q.loaded("shop", {row(3)}, true, t0)) == std::vector<std::int64_t>{3});
}

TEST_CASE("accounts are independent") {
    ClientReceiptQueue q(settings());
    (void)q.bound("a", true, t0);
    (void)q.bound("b", true, t0);
    (void)q.loaded("a", {row(1)}, true, t0);
    (void)q.loaded("b", {}, true, t0);
    (void)q.answered("a", 1, false, t0);
    auto a = q.due("", t0 + 1s);  // b is read, a waits its retry
    REQUIRE(a.size() == 1);
    CHECK(a[0].account == "b");
}

}  // namespace client_receipt_queue_test
