// The dialogue table fed neutral events and time (no sockets, no storage, no sleeps): the
// real cabinet menus, domain answers given by the test.
#include "engine/ussd/UssdDialogues.hpp"

#include <doctest/doctest.h>

#include "menus/MenuRegistry.hpp"

namespace ussd_dialogues_test {

using namespace ussdgw;
using namespace ussdgw::ussd;
using namespace std::chrono_literals;

namespace {

struct Table {
    menus::MenuRegistry registry{USSDGW_SOURCE_DIR "/menus/cabinet"};
    std::unique_ptr<UssdDialogues> d;
    TimePoint t0 = TimePoint{} + 1h;

    Table() {
        REQUIRE(registry.reload().ok());
        menus::DialogueSettings s;
        s.step_timeout = 30s;
        s.dialogue_timeout = 180s;
        d = std::make_unique<UssdDialogues>([this] { return registry.current(); }, s);
    }
    UssdDialogues::Actions begin(IngressKey key, const std::string& msisdn, const std::string& code,
                                 TimePoint at) {
        UssdDialogues::Actions a;
        d->begin(UssdBegin{std::move(key), msisdn, "141", code}, at, a);
        return a;
    }
    UssdDialogues::Actions answer(IngressKey key, const std::string& text, TimePoint at) {
        UssdDialogues::Actions a;
        d->answer(UssdAnswer{std::move(key), text}, at, a);
        return a;
    }
    UssdDialogues::Actions result(const UssdDialogues::Perform& p, const std::string& outcome,
                                  TimePoint at) {
        UssdDialogues::Actions a;
        d->on_action_result(p.dialogue, p.request.id, {outcome, {}}, at, a);
        return a;
    }
    const UssdDialogues::IngressStats& stats(const std::string& ingress) const {
        return d->stats().at(ingress);
    }
};

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

const IngressKey kSmpp{"smpp:ussdc", "375291000001|i1"};
const IngressKey kHttp{"http:agg", "s-1"};

}  // namespace

TEST_CASE("the same subscriber has a dialogue on each ingress, each answered on its own key") {
    Table t;
    auto a = t.begin(kSmpp, "375291000001", "*141*3*6#", t.t0);
    auto b = t.begin(kHttp, "375291000001", "*141*3*6#", t.t0 + 1ms);
    CHECK(t.d->active() == 2);
    REQUIRE(a.performs.size() == 1);  // the access state is looked up first
    REQUIRE(b.performs.size() == 1);
    CHECK(a.performs[0].request.kind == menus::ActionKind::access_state);
    auto shown = t.result(b.performs[0], "access.open", t.t0 + 5ms);
    REQUIRE(shown.screens.size() == 1);
    CHECK(shown.screens[0].key == kHttp);
    CHECK_FALSE(shown.screens[0].final);
    CHECK(contains(shown.screens[0].text, "открыт"));
    auto other = t.result(a.performs[0], "access.open", t.t0 + 7ms);
    REQUIRE(other.screens.size() == 1);
    CHECK(other.screens[0].key == kSmpp);
    CHECK(t.stats("smpp:ussdc").begun == 1);
    CHECK(t.stats("http:agg").begun == 1);
    // Step latency is kept per ingress, from the request to its screen.
    CHECK(t.d->step_seconds().at("http:agg").snapshot().sum == doctest::Approx(0.004));
    CHECK(t.d->step_seconds().at("smpp:ussdc").snapshot().sum == doctest::Approx(0.007));
}

TEST_CASE(
    "a new begin of the subscriber on the ingress ends the old dialogue and annuls its action") {
    Table t;
    IngressKey first{"smpp:ussdc", "375291000001|i1"};
    IngressKey second{"smpp:ussdc", "375291000001|i2"};
    auto a = t.begin(first, "375291000001", "*141*3*6#", t.t0);
    t.result(a.performs[0], "access.open", t.t0);
    t.answer(first, "1", t.t0 + 1s);  // close?
    auto confirm = t.answer(first, "1", t.t0 + 2s);
    REQUIRE(confirm.performs.size() == 1);
    CHECK(confirm.performs[0].request.kind == menus::ActionKind::close_access);
    auto token = confirm.performs[0].request.cancellation;
    REQUIRE(token);
    auto b = t.begin(second, "375291000001", "*141#", t.t0 + 3s);
    CHECK(b.annulled == std::vector<std::uint64_t>{confirm.performs[0].request.id});
    CHECK_FALSE(token->begin_write());  // storage will write nothing of it
    CHECK(t.d->active() == 1);
    CHECK_FALSE(t.d->open(first));
    CHECK(t.stats("smpp:ussdc").ended_as(DialogueOutcome::released) == 1);
    // Its late result is ignored; no screen goes to the old key.
    CHECK(t.result(confirm.performs[0], "annulled", t.t0 + 4s).screens.empty());
}

TEST_CASE("the step deadline: nothing before it, a final timeout screen at it") {
    Table t;
    t.begin(kSmpp, "375291000001", "*141#", t.t0);
    REQUIRE(t.d->next_deadline() == t.t0 + 30s);
    UssdDialogues::Actions early;
    t.d->on_timer(t.t0 + 30s - 1ms, early);
    CHECK(early.screens.empty());
    UssdDialogues::Actions due;
    t.d->on_timer(t.t0 + 30s, due);
    REQUIRE(due.screens.size() == 1);
    CHECK(due.screens[0].final);
    CHECK(contains(due.screens[0].text, "Время ожидания"));
    CHECK(t.d->active() == 0);
    CHECK_FALSE(t.d->next_deadline().has_value());
    CHECK(t.stats("smpp:ussdc").ended_as(DialogueOutcome::timeout) == 1);
}

TEST_CASE("an ingress that goes away ends its dialogues silently; the others go on") {
    Table t;
    t.begin(kSmpp, "375291000001", "*141*3*6#", t.t0);
    auto h = t.begin(kHttp, "375291000002", "*141*3*6#", t.t0);
    UssdDialogues::Actions gone;
    t.d->end_ingress("smpp:ussdc", t.t0 + 1s, gone);
    CHECK(gone.screens.empty());
    CHECK(gone.annulled.size() == 1);  // its lookup was pending
    CHECK(t.d->active() == 1);
    CHECK(t.stats("smpp:ussdc").ended_as(DialogueOutcome::ingress_gone) == 1);
    CHECK(t.stats("smpp:ussdc").active == 0);
    CHECK(t.result(h.performs[0], "access.open", t.t0 + 2s).screens.size() == 1);
}

TEST_CASE("an answer without a dialogue gets a final screen; a release gets none") {
    Table t;
    auto orphan = t.answer(kSmpp, "1", t.t0);
    REQUIRE(orphan.screens.size() == 1);
    CHECK(orphan.screens[0].final);
    CHECK(t.stats("smpp:ussdc").orphan_answers == 1);
    t.begin(kSmpp, "375291000001", "*141#", t.t0);
    UssdDialogues::Actions released;
    t.d->release(UssdRelease{kSmpp}, t.t0 + 1s, released);
    CHECK(released.screens.empty());
    CHECK(t.d->active() == 0);
    UssdDialogues::Actions refused;
    t.d->refuse(kHttp, t.t0, refused);
    REQUIRE(refused.screens.size() == 1);
    CHECK(refused.screens[0].final);
    CHECK(t.stats("http:agg").refused == 1);
}

TEST_CASE("shutdown ends every dialogue with a final screen") {
    Table t;
    t.begin(kSmpp, "375291000001", "*141#", t.t0);
    t.begin(kHttp, "375291000002", "*141#", t.t0);
    UssdDialogues::Actions a;
    t.d->shutdown(t.t0 + 1s, a);
    CHECK(a.screens.size() == 2);
    for (const auto& s : a.screens) {
        CHECK(s.final);
        CHECK(contains(s.text, "временно недоступен"));
    }
    CHECK(t.d->active() == 0);
    CHECK(t.stats("http:agg").ended_as(DialogueOutcome::shutdown) == 1);
}

}  // namespace ussd_dialogues_test
