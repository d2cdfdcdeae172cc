// SmppLoadClient (`ussdgw bench smpp`) against our SmppServer on 127.0.0.1: the load runs to
// its count with the window kept, answers are counted ok or failed, and what stops it
// (a refused bind, nothing listening, bad options) is an Error that says so.
#include "smpp/SmppLoadClient.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "SmppNetTestSupport.hpp"

namespace smpp_load_client_test {

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

namespace {

LoadOptions load_to(std::uint16_t port, std::uint64_t count, std::uint32_t window) {
    LoadOptions o;
    o.port = port;
    o.system_id = "esme";
    o.password = "secret";
    o.count = count;
    o.window = window;
    o.duration = 20s;  // the count ends these runs
    o.io_timeout = 5s;
    o.message = test_submit();
    return o;
}

}  // namespace

TEST_CASE(
    "a load runs to its count: every submit_sm answered ok, latencies ordered, clean unbind") {
    ServerThread s;
    auto r = run_submit_load(load_to(s.port(), 300, 16));
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    CHECK(r->sent == 300);
    CHECK(r->ok == 300);
    CHECK(r->failed == 0);
    CHECK(r->first_error_status == 0);
    CHECK(r->unbound_cleanly);
    CHECK(r->seconds > 0);
    CHECK(r->per_second() > 0);
    CHECK(r->p50_us > 0);
    CHECK(r->p50_us <= r->p90_us);
    CHECK(r->p90_us <= r->p99_us);
    CHECK(r->p99_us <= r->max_us);
}

TEST_CASE("refused submit_sm are counted failed with the first status") {
    TestApp app;
    app.refuse_server_requests = true;
    ServerThread s(test_server_config(), &app);
    auto r = run_submit_load(load_to(s.port(), 40, 4));
    REQUIRE(r.ok());
    CHECK(r->sent == 40);
    CHECK(r->ok == 0);
    CHECK(r->failed == 40);
    CHECK(r->first_error_status == kNotServed);
    CHECK(r->unbound_cleanly);
}

TEST_CASE("a refused bind, nothing listening, or bad options: an Error naming it") {
    {
        ServerThread s;
        auto o = load_to(s.port(), 10, 2);
        o.password = "wrong";
        auto r = run_submit_load(o);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "bench.failed");
        CHECK(r.error().message.find("bind refused") != std::string::npos);
    }
    std::uint16_t closed_port = 0;
    {
        RawListener l;  // an ephemeral port that nothing listens on once this closes
        closed_port = l.port();
    }
    auto r = run_submit_load(load_to(closed_port, 10, 2));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bench.failed");
    CHECK(r.error().message.find("connect") != std::string::npos);

    auto o = load_to(closed_port, 10, 0);
    CHECK(run_submit_load(o).error().code == "bench.window");
    o = load_to(closed_port, 10, 2);
    o.host = "not-an-address";
    CHECK(run_submit_load(o).error().code == "bench.address");
    o = load_to(closed_port, 10, 2);
    o.message.short_message = std::string(300, 'x');  // does not encode
    CHECK_FALSE(run_submit_load(o).ok());
}

}  // namespace smpp_load_client_test
