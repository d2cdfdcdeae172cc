// SmppClientLink against an in-test SmppServer (or a raw SMSC socket), both on one
// io_context driven by the test thread (every wait bounded; no sleeps).
#include "smpp/SmppClientLink.hpp"

#include <doctest/doctest.h>

#include <boost/asio/post.hpp>

#include "SmppNetTestSupport.hpp"
#include "smpp/SmppServer.hpp"

namespace smpp_client_link_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

namespace {

ClientLinkConfig link_config(std::uint16_t port) {
    ClientLinkConfig c = test_link_config("test", port);
    c.window = 3;
    c.timers.bind_timeout = 2000ms;
    return c;
}

}  // namespace

TEST_CASE("client link: binds, submits, gets the message id; stop unbinds cleanly") {
    asio::io_context io;
    TestApp server_app;
    auto server = SmppServer::create(io, test_server_config(), server_app);
    server->start();
    std::vector<bool> states;
    TestApp app;
    app.link_state = [&](const std::string& name, bool b) {
        CHECK(name == "test");
        states.push_back(b);
    };
    auto link = SmppClientLink::create(io, link_config(server->port()), app);
    link->start();
    REQUIRE(run_until(io, [&] { return link->bound(); }));
    CHECK(server->bound_count("esme") == 1);
    std::optional<RequestOutcome> got;
    link->submit(test_submit(), [&](RequestOutcome& o) { got = o; });
    REQUIRE(run_until(io, [&] { return got.has_value(); }));
    CHECK(got->ok());
    CHECK_FALSE(got->message_id().empty());
    bool stopped = false;
    link->stop([&] { stopped = true; });
    REQUIRE(run_until(io, [&] { return stopped; }));
    REQUIRE(run_until(io, [&] { return server->connection_count() == 0; }));
    CHECK(states == std::vector<bool>{true, false});
    bool server_stopped = false;
    server->stop([&] { server_stopped = true; });
    REQUIRE(run_until(io, [&] { return server_stopped; }));
}

TEST_CASE("client link: submits beyond the window wait in the queue; the window is respected") {
    asio::io_context io;
    std::vector<SmppReply> held;
    std::size_t max_held = 0;
    TestApp server_app;
    server_app.server_request = [&](const PeerInfo&, const Pdu&, SmppReply r) {
        held.push_back(r);
        max_held = std::max(max_held, held.size());
    };
    auto server = SmppServer::create(io, test_server_config(), server_app);
    server->start();
    SmppApplication app;
    auto link = SmppClientLink::create(io, link_config(server->port()), app);
    link->start();
    REQUIRE(run_until(io, [&] { return link->bound(); }));
    int ok = 0;
    for (int i = 0; i < 10; ++i)
        link->submit(test_submit(), [&](RequestOutcome& o) { ok += o.ok() ? 1 : 0; });
    REQUIRE(run_until(io, [&] { return held.size() == 3; }));
    CHECK(link->outstanding() == 3);
    CHECK(link->queued() == 7);
    // Answer asynchronously, a few at a time, until all ten went through.
    REQUIRE(run_until(io, [&] {
        for (auto& r : held)
            r.accept("id");
        held.clear();
        return ok == 10;
    }));
    CHECK(max_held == 3);
    CHECK(link->queued() == 0);
}

TEST_CASE("client link: deliver_sm reaches the handler, which may answer later") {
    asio::io_context io;
    TestApp server_app;
    auto server = SmppServer::create(io, test_server_config(), server_app);
    server->start();
    std::optional<SmppReply> pending;
    std::string text;
    TestApp app;
    app.link_request = [&](const PeerInfo& p, const Pdu& req, SmppReply r) {
        CHECK(p.link == "test");
        text = std::get<DeliverSm>(req.body).short_message;
        pending = r;
    };
    auto link = SmppClientLink::create(io, link_config(server->port()), app);
    link->start();
    REQUIRE(run_until(io, [&] { return link->bound() && server->bound_count("esme") == 1; }));
    std::optional<RequestOutcome> got;
    DeliverSm d;
    d.source.address = "375291234567";
    d.short_message = "*141#";
    REQUIRE(server->send_to("esme", d, [&](RequestOutcome& o) { got = o; }).ok());
    REQUIRE(run_until(io, [&] { return pending.has_value(); }));
    CHECK(text == "*141#");
    CHECK_FALSE(got.has_value());
    pending->accept();
    REQUIRE(run_until(io, [&] { return got.has_value(); }));
    CHECK(got->ok());
}

TEST_CASE("client link: reconnects with backoff after the server drops, and binds again") {
    asio::io_context io;
    TestApp server_app;
    auto server = SmppServer::create(io, test_server_config(), server_app);
    server->start();
    std::uint16_t port = server->port();
    std::vector<bool> states;
    TestApp app;
    app.link_state = [&](const std::string&, bool b) { states.push_back(b); };
    auto link = SmppClientLink::create(io, link_config(port), app);
    link->start();
    REQUIRE(run_until(io, [&] { return link->bound(); }));
    bool down = false;
    server->stop([&] { down = true; });
    REQUIRE(run_until(io, [&] { return down; }));
    REQUIRE(run_until(io, [&] { return !link->bound(); }));
    server.reset();
    // Connection refused a few times (backoff 20..100 ms), then the server is back.
    auto connects = link->stats().connects;
    REQUIRE(run_until(io, [&] { return link->stats().connects >= connects + 2; }));
    // While down, a submit fails at once (after returning), without blocking.
    std::optional<RequestOutcome> refused;
    link->submit(test_submit(), [&](RequestOutcome& o) { refused = o; });
    CHECK_FALSE(refused.has_value());
    REQUIRE(run_until(io, [&] { return refused.has_value(); }));
    CHECK(refused->kind == RequestOutcome::Kind::not_sent);
    CHECK(refused->send_error == SendError::not_bound);

    auto cfg = test_server_config();
    cfg.port = port;
    server = SmppServer::create(io, cfg, server_app);
    server->start();
    REQUIRE(run_until(io, [&] { return link->bound(); }));
    CHECK(states == std::vector<bool>{true, false, true});
    CHECK(link->stats().binds == 2);
    std::optional<RequestOutcome> got;
    link->submit(test_submit(), [&](RequestOutcome& o) { got = o; });
    REQUIRE(run_until(io, [&] { return got.has_value(); }));
    CHECK(got->ok());
}

TEST_CASE("client link: a refused bind is retried with backoff") {
    asio::io_context io;
    TestApp server_app;
    auto server = SmppServer::create(io, test_server_config(), server_app);
    server->start();
    auto cfg = link_config(server->port());
    cfg.password = Secret("wrong");
    SmppApplication app;
    auto link = SmppClientLink::create(io, cfg, app);
    link->start();
    REQUIRE(run_until(io, [&] { return link->stats().bind_failures >= 3; }));
    CHECK_FALSE(link->bound());
    CHECK(server->stats().bind_failures >= 3);
}

TEST_CASE("client link: backoff doubles from reconnect_min, jittered, capped at reconnect_max") {
    asio::io_context io;
    auto cfg = link_config(1);
    cfg.reconnect_min = 1000ms;
    cfg.reconnect_max = 8000ms;
    SmppApplication app;
    auto link = SmppClientLink::create(io, cfg, app);
    for (int i = 0; i < 50; ++i) {
        auto b0 = link->backoff(0);
        CHECK(b0 >= 500ms);
        CHECK(b0 <= 1000ms);
        auto b2 = link->backoff(2);
        CHECK(b2 >= 2000ms);
        CHECK(b2 <= 4000ms);
        auto b9 = link->backoff(9);
        CHECK(b9 >= 4000ms);
        CHECK(b9 <= 8000ms);
        CHECK(link->backoff(1000) <= 8000ms);
    }
}

TEST_CASE("client link: a throughput limit delays submits but sends them all") {
    asio::io_context io;
    TestApp server_app;
    auto server = SmppServer::create(io, test_server_config(), server_app);
    server->start();
    auto cfg = link_config(server->port());
    cfg.throughput = 50;  // burst 5
    cfg.window = 100;
    SmppApplication app;
    auto link = SmppClientLink::create(io, cfg, app);
    link->start();
    REQUIRE(run_until(io, [&] { return link->bound(); }));
    int ok = 0;
    for (int i = 0; i < 20; ++i)
        link->submit(test_submit(), [&](RequestOutcome& o) { ok += o.ok() ? 1 : 0; });
    CHECK(link->queued() > 0);
    REQUIRE(run_until(io, [&] { return ok == 20; }));
}

TEST_CASE("client link: 1000 deliver_sm in one write, answered at once: none throttled, in order") {
    // The SMSC is raw bytes on a socket: it sends the whole burst in one write, then an
    // unbind right behind it, and reads what comes back.
    RawListener smsc;
    asio::io_context io;
    auto cfg = link_config(smsc.port());
    cfg.receive_window = 100;
    int handled = 0;
    TestApp app;
    app.link_request = [&](const PeerInfo&, const Pdu&, SmppReply r) {
        ++handled;
        r.accept();
    };
    auto link = SmppClientLink::create(io, cfg, app);
    link->start();
    constexpr std::uint32_t kBurst = 1000;
    std::vector<std::uint32_t> statuses;
    std::vector<std::uint32_t> order;
    bool unbind_answered_last = false;
    std::thread peer([&] {
        auto c = smsc.accept();
        REQUIRE(c);
        auto bind = c->read_pdu();
        REQUIRE(bind.has_value());
        REQUIRE(c->send(Pdu{status::ok, bind->sequence_number,
                            BindResponse{BindType::transceiver, "smsc", 0x34}}));
        DeliverSm d;
        d.source.address = "375291234567";
        d.short_message = "1";
        d.tlvs.ussd_service_op = ussd_op::ussr_confirm;
        std::vector<std::uint8_t> burst;
        for (std::uint32_t seq = 1; seq <= kBurst; ++seq)
            REQUIRE(encode(Pdu{status::ok, seq, d}, burst).ok());
        REQUIRE(encode(Pdu{status::ok, kBurst + 1, Unbind{}}, burst).ok());
        REQUIRE(c->send(burst));
        for (std::uint32_t i = 0; i <= kBurst; ++i) {
            auto r = c->read_pdu();
            REQUIRE(r.has_value());
            if (std::holds_alternative<UnbindResp>(r->body)) {
                unbind_answered_last = i == kBurst;
                break;
            }
            statuses.push_back(r->command_status);
            order.push_back(r->sequence_number);
        }
    });
    bool done = run_until(
        io, [&] { return handled == static_cast<int>(kBurst) && !link->bound(); }, 10000ms);
    link->stop();
    run_until(
        io, [] { return false; }, 100ms);
    peer.join();
    CHECK(done);
    REQUIRE(statuses.size() == kBurst);
    CHECK(std::count(statuses.begin(), statuses.end(), status::throttled) == 0);
    CHECK(std::count(statuses.begin(), statuses.end(), status::ok) == kBurst);
    CHECK(std::is_sorted(order.begin(), order.end()));
    CHECK(unbind_answered_last);
}

}  // namespace smpp_client_link_test
