// The SMS link choice and the failover rule, fed states and time (no sockets, no sleeps).
#include "engine/sms/SmsLinks.hpp"

#include <doctest/doctest.h>

namespace sms_links_test {

using namespace ussdgw::sms;
using namespace std::chrono_literals;

namespace {
SmsRoute link(const char* name) {
    return {SmsRoute::Kind::client_link, name};
}
RouteState up(SmsRoute r, std::size_t busy = 0, std::size_t room = 10) {
    return {std::move(r), true, busy, room};
}
RouteState down(SmsRoute r) {
    return {std::move(r), false, 0, 10};
}
}  // namespace

TEST_CASE("round robin over the routes that are up, beginning after the last one chosen") {
    SmsLinkChooser chooser;
    SmsRoute account{SmsRoute::Kind::account, "smsc"};
    std::vector<RouteState> routes{up(link("a")), up(link("b")), up(account)};
    std::vector<std::string> picked;
    for (int i = 0; i < 6; ++i)
        picked.push_back(chooser.choose(routes)->name);
    CHECK(picked == std::vector<std::string>{"a", "b", "smsc", "a", "b", "smsc"});
}

TEST_CASE("a route that is down or full is skipped until it can take parts again") {
    SmsLinkChooser chooser;
    std::vector<RouteState> routes{up(link("a")), down(link("b"))};
    CHECK(chooser.choose(routes)->name == "a");
    CHECK(chooser.choose(routes)->name == "a");
    routes[0].busy = 10;  // window and queue full
    CHECK_FALSE(chooser.choose(routes).has_value());
    routes[1].up = true;  // b is back
    CHECK(chooser.choose(routes)->name == "b");
    routes[0].busy = 3;
    CHECK(chooser.choose(routes)->name == "a");
    CHECK(chooser.choose(routes)->name == "b");
    CHECK_FALSE(SmsLinkChooser().choose({}).has_value());
}

TEST_CASE("the order survives a route disappearing from the list") {
    SmsLinkChooser chooser;
    CHECK(chooser.choose({up(link("a")), up(link("b"))})->name == "a");
    // The last chosen route is gone: start from the first.
    CHECK(chooser.choose({up(link("b")), up(link("c"))})->name == "b");
    CHECK(chooser.choose({up(link("b")), up(link("c"))})->name == "c");
}

TEST_CASE("a part lost with its connection goes again only after its response timeout") {
    auto t0 = std::chrono::steady_clock::time_point{} + 1h;
    // Lost 2 s after it was sent, with a 10 s response timeout: 8 s more.
    CHECK(retry_not_before(NoAnswer::connection_lost, t0, 10s, t0 + 2s) == t0 + 10s);
    // Lost after its timeout would have passed anyway: at once.
    CHECK(retry_not_before(NoAnswer::connection_lost, t0, 10s, t0 + 12s) == t0 + 12s);
    // Never written: at once; timed out: it has waited already.
    CHECK(retry_not_before(NoAnswer::not_sent, t0, 10s, t0 + 1s) == t0 + 1s);
    CHECK(retry_not_before(NoAnswer::timed_out, t0, 10s, t0 + 10s) == t0 + 10s);
}

}  // namespace sms_links_test
