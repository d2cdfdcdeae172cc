// menus/DemoDomain, the stand-in domain of `ussdgw menus try`: PUK1 counting with a lockout,
// closing and opening access, the demo organisation's managers.
#include "menus/DemoDomain.hpp"

#include <doctest/doctest.h>

namespace demo_domain_test {

using namespace ussdgw;
using namespace ussdgw::menus;

namespace {
ActionRequest request(ActionKind kind, const std::string& msisdn, const std::string& puk = "",
                      const std::string& target = "") {
    ActionRequest r;
    r.kind = kind;
    r.msisdn = msisdn;
    r.puk = Secret(puk);
    r.target = target;
    return r;
}
}  // namespace

TEST_CASE("close, then open with the PUK1; wrong PUK1 entries count down to a lockout") {
    DemoDomain demo;
    const std::string me = "375291112233";
    CHECK(demo.perform(request(ActionKind::access_state, me)).outcome == outcome::access_open);
    CHECK(demo.perform(request(ActionKind::close_access, me)).outcome == outcome::ok);
    CHECK(demo.perform(request(ActionKind::access_state, me)).outcome ==
          outcome::closed_by_subscriber);
    auto wrong = demo.perform(request(ActionKind::open_access, me, "00000000"));
    CHECK(wrong.outcome == outcome::puk_wrong);
    CHECK(wrong.fields.at("attempts_left") == "2");
    CHECK(demo.perform(request(ActionKind::open_access, me, "12345678")).outcome == outcome::ok);
    for (int i = 0; i < 2; ++i)
        CHECK(demo.perform(request(ActionKind::open_access, me, "0")).outcome ==
              outcome::puk_wrong);
    auto locked = demo.perform(request(ActionKind::open_access, me, "0"));
    CHECK(locked.outcome == outcome::puk_locked);
    CHECK(locked.fields.at("until").size() == 16);
    CHECK(demo.perform(request(ActionKind::open_access, me, "12345678")).outcome ==
          outcome::puk_locked);
}

TEST_CASE("managers act within their own organisation only; passwords are limited") {
    DemoDomain demo;
    const std::string admin = "375290000001";
    CHECK(demo.perform(request(ActionKind::managed_close_access, admin, "", "375290000002"))
              .outcome == outcome::ok);
    CHECK(demo.perform(request(ActionKind::access_state, "375290000002")).outcome ==
          outcome::closed_by_organisation);
    CHECK(demo.perform(request(ActionKind::managed_close_access, admin, "", "375290000003"))
              .outcome == outcome::not_same_client);
    CHECK(
        demo.perform(request(ActionKind::managed_access_state, "375290000002", "", "375290000001"))
            .outcome == outcome::not_manager);
    for (int i = 0; i < 3; ++i)
        CHECK(demo.perform(request(ActionKind::issue_password, admin)).outcome == outcome::ok);
    CHECK(demo.perform(request(ActionKind::issue_password, admin)).outcome ==
          outcome::rate_limited);
}

}  // namespace demo_domain_test
