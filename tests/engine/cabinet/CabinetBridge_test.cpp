// The cabinet bridge: menu actions performed on a real storage, storage refusals mapped to
// the menus' outcome codes, and requests whose dialogue gave up annulled in storage.
#include "engine/cabinet/CabinetBridge.hpp"

#include <doctest/doctest.h>

#include "engine/EngineTestSupport.hpp"

namespace cabinet_bridge_test {

using namespace ussdgw;
namespace o = menus::outcome;

namespace {

struct Bridge : test::StorageHarness {
    cabinet::CabinetBridge bridge{st->cabinet(), storage::Channel::ussd};

    menus::ActionResult perform(menus::ActionKind kind, std::string msisdn, std::string target = {},
                                std::string puk = {}, CancellationPtr cancellation = nullptr) {
        menus::ActionRequest req;
        req.id = 1;
        req.kind = kind;
        req.msisdn = std::move(msisdn);
        req.target = std::move(target);
        req.puk = Secret(std::move(puk));
        req.cancellation = std::move(cancellation);
        std::optional<menus::ActionResult> out;
        bridge.perform(req, [&](menus::ActionResult r) { out = std::move(r); });
        REQUIRE(loop.run_until([&] { return out.has_value(); }));
        return *out;
    }
};

}  // namespace

TEST_CASE("storage refusals map to the menus' outcome codes") {
    CHECK(cabinet::outcome_for(Error{"access.closed_lost_sim", ""}) == o::closed_by_operator);
    CHECK(cabinet::outcome_for(Error{"access.closed_restricted", ""}) == o::closed_by_operator);
    CHECK(cabinet::outcome_for(Error{"role.other_client", ""}) == o::not_same_client);
    CHECK(cabinet::outcome_for(Error{"role.forbidden", ""}) == o::not_manager);
    CHECK(cabinet::outcome_for(Error{"sms.rate_limited", ""}) == o::rate_limited);
    CHECK(cabinet::outcome_for(Error{"storage.io", ""}) == o::error);
    CHECK(cabinet::outcome_for(Error{"request.annulled", ""}) == o::annulled);
}

TEST_CASE("own access: state, close, wrong PUK1 with tries left, lockout with its end time") {
    Bridge b;
    using K = menus::ActionKind;
    CHECK(b.perform(K::access_state, "375291000001").outcome == o::access_open);
    CHECK(b.perform(K::close_access, "375291000001").outcome == o::ok);
    CHECK(b.perform(K::close_access, "375291000001").outcome == o::ok);  // already closed
    CHECK(b.perform(K::access_state, "375291000001").outcome == o::closed_by_subscriber);
    auto wrong = b.perform(K::open_access, "375291000001", {}, "00000000");
    CHECK(wrong.outcome == o::puk_wrong);
    CHECK(wrong.fields["attempts_left"] == "2");
    b.perform(K::open_access, "375291000001", {}, "00000000");
    auto locked = b.perform(K::open_access, "375291000001", {}, "00000000");
    CHECK(locked.outcome == o::puk_locked);
    CHECK(locked.fields["until"].size() == 16);  // "YYYY-MM-DD hh:mm"
    CHECK_FALSE(b.access_open("375291000001"));
    CHECK(b.perform(K::access_state, "999").outcome == o::not_found);
}

TEST_CASE("managers act only within their own client") {
    Bridge b;
    using K = menus::ActionKind;
    CHECK(b.perform(K::managed_close_access, "375292000001", "375292000003").outcome == o::ok);
    CHECK_FALSE(b.access_open("375292000003"));
    CHECK(b.perform(K::managed_access_state, "375292000001", "375292000003").outcome ==
          o::closed_by_organisation);
    CHECK(b.perform(K::managed_open_access, "375292000001", "375293000001").outcome ==
          o::not_same_client);
    CHECK(b.perform(K::managed_access_state, "375291000001", "375292000003").outcome ==
          o::not_manager);
}

TEST_CASE("a request whose dialogue already gave up is annulled: nothing is written") {
    Bridge b;
    using K = menus::ActionKind;
    auto gave_up = [] {
        auto c = std::make_shared<Cancellation>();
        CHECK(c->cancel());
        return c;
    };
    auto r = b.perform(K::close_access, "375291000001", {}, {}, gave_up());
    CHECK(r.outcome == o::annulled);
    CHECK(b.access_open("375291000001"));
    r = b.perform(K::issue_password, "375291000001", {}, {}, gave_up());
    CHECK(r.outcome == o::annulled);
    CHECK_FALSE(b.record("375291000001").cabinet.has_password);
    b.perform(K::close_access, "375291000001");
    r = b.perform(K::open_access, "375291000001", {}, "11111111", gave_up());
    CHECK(r.outcome == o::annulled);
    CHECK_FALSE(b.access_open("375291000001"));
    // A request that storage claimed first is written, and the late cancel says so.
    auto claimed = std::make_shared<Cancellation>();
    r = b.perform(K::open_access, "375291000001", {}, "11111111", claimed);
    CHECK(r.outcome == o::ok);
    CHECK_FALSE(claimed->cancel());
    CHECK(b.access_open("375291000001"));
}

TEST_CASE("a suspended subscriber gets service.suspended for its access, state and closing") {
    Bridge b;
    using K = menus::ActionKind;
    CHECK(b.perform(K::access_state, "375291000004").outcome == o::suspended);
    CHECK(b.perform(K::close_access, "375291000004").outcome == o::suspended);
    CHECK(b.perform(K::issue_password, "375291000004").outcome == o::suspended);
    CHECK(b.access_open("375291000004"));
}

}  // namespace cabinet_bridge_test
