// SmppServer over real TCP on 127.0.0.1 (ephemeral port), with hostile peers. After every
// hostile case a normal client must still bind and submit.
#include <doctest/doctest.h>

#include <random>

#include "SmppNetTestSupport.hpp"
#include "SmppTestSupport.hpp"

namespace smpp_server_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

TEST_CASE("server: bind, submit, unbind; interface_version 0x50 is accepted") {
    ServerThread s;
    check_normal_client(s.port());
    RawClient c(s.port());
    auto b = c.bind("esme", "secret", BindType::transmitter, 0x50);
    CHECK(b.command_status == status::ok);
    CHECK(std::get<BindResponse>(b.body).system_id == "ussdgw");
    // enquire_link is answered.
    REQUIRE(c.send(Pdu{status::ok, 9, EnquireLink{}}));
    auto e = c.read_pdu();
    REQUIRE(e.has_value());
    CHECK(std::holds_alternative<EnquireLinkResp>(e->body));
    CHECK(e->sequence_number == 9);
}

TEST_CASE("server: every refused bind gets ESME_RBINDFAIL, whatever was wrong") {
    auto cfg = test_server_config();
    AccountConfig ro;
    ro.system_id = "ronly";
    ro.password = Secret("pw");
    ro.bind_types = {BindType::receiver};
    cfg.accounts.push_back(ro);
    AccountConfig far;
    far.system_id = "far";
    far.password = Secret("pw");
    far.allowed_addresses = {"10.1.2.3"};
    cfg.accounts.push_back(far);
    ServerThread s(cfg);
    struct Case {
        const char* id;
        const char* pw;
        BindType type;
    };
    std::vector<Pdu> answers;
    for (auto k :
         {Case{"esme", "wrong", BindType::transceiver},
          Case{"nobody", "secret", BindType::transceiver},
          Case{"ronly", "pw", BindType::transmitter}, Case{"far", "pw", BindType::transceiver}}) {
        CAPTURE(k.id);
        RawClient c(s.port());
        auto b = c.bind(k.id, k.pw, k.type);
        CHECK(b.command_status == status::bindfail);
        CHECK(c.closed_by_peer());
        answers.push_back(b);
    }
    // Unknown system_id and wrong password look the same on the wire, body included.
    CHECK(encode(answers[0]).value() == encode(answers[1]).value());
    RawClient ok(s.port());
    CHECK(ok.bind("ronly", "pw", BindType::receiver).command_status == status::ok);
    check_normal_client(s.port());
}

TEST_CASE(
    "server: max_binds per account; max_connections refuses only when bound sessions fill it") {
    auto cfg = test_server_config();
    cfg.accounts[0].max_binds = 1;
    cfg.max_connections = 3;
    ServerThread s(cfg);
    RawClient first(s.port());
    REQUIRE(first.bind("esme", "secret").command_status == status::ok);
    {
        RawClient second(s.port());
        CHECK(second.bind("esme", "secret").command_status == status::bindfail);
        CHECK(second.closed_by_peer());
    }
    // Two unbound connections fill the other slots; a fourth one makes the oldest make way.
    RawClient c2(s.port());
    REQUIRE(c2.send(Pdu{status::ok, 1, EnquireLink{}}));
    REQUIRE(c2.read_pdu().has_value());
    RawClient c3(s.port());
    REQUIRE(c3.send(Pdu{status::ok, 1, EnquireLink{}}));
    REQUIRE(c3.read_pdu().has_value());
    RawClient c4(s.port());
    REQUIRE(c4.send(Pdu{status::ok, 1, EnquireLink{}}));
    REQUIRE(c4.read_pdu().has_value());
    CHECK(c2.closed_by_peer());
    CHECK(s.on_io([](SmppServer& srv) { return srv.stats().evicted; }) == 1);
    // The bound session was not touched.
    REQUIRE(first.send(Pdu{status::ok, 5, test_submit()}));
    CHECK(first.read_pdu()->command_status == status::ok);
}

TEST_CASE("server: when bound sessions fill max_connections, a new connection is refused") {
    auto cfg = test_server_config();
    cfg.max_connections = 2;
    cfg.max_unbound = 2;
    ServerThread s(cfg);
    RawClient a(s.port());
    REQUIRE(a.bind("esme", "secret").command_status == status::ok);
    RawClient b(s.port());
    REQUIRE(b.bind("esme", "secret").command_status == status::ok);
    RawClient c(s.port());
    CHECK(c.closed_by_peer());
    CHECK(s.on_io([](SmppServer& srv) { return srv.stats().refused_connections; }) == 1);
}

TEST_CASE("server: 100 idle connections from one address do not lock out a legitimate client") {
    auto cfg = test_server_config();
    cfg.max_connections = 50;
    cfg.max_unbound = 20;
    cfg.max_unbound_per_address = 5;
    cfg.timers.bind_timeout = 10s;  // the idle ones would stay for the whole test
    ServerThread s(cfg);
    RawClient bound(s.port());
    REQUIRE(bound.bind("esme", "secret").command_status == status::ok);
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 100; ++i)
        idle.push_back(std::make_unique<RawClient>(s.port()));
    // A legitimate client from the same address gets in (the oldest idle one makes way), and
    // one from another address does too; the bound session goes on. Connections are
    // accepted in order, so by then the 100 were: only the newest few of them stayed.
    check_normal_client(s.port());
    CHECK(s.on_io([](SmppServer& srv) { return srv.stats().accepted; }) == 102);
    CHECK(s.on_io([](SmppServer& srv) { return srv.stats().evicted; }) >= 95);
    CHECK(s.on_io([](SmppServer& srv) { return srv.unbound_count(); }) <= 5);
    {
        RawClient other(s.port(), 5000ms, 0x7F000002);  // 127.0.0.2
        CHECK(other.bind("esme", "secret").command_status == status::ok);
    }
    REQUIRE(bound.send(Pdu{status::ok, 9, test_submit()}));
    CHECK(bound.read_pdu()->command_status == status::ok);
    CHECK(s.on_io([](SmppServer& srv) { return srv.connection_count(); }) <= 50);
}

TEST_CASE("server: repeated wrong binds are slowed down, then refused even with the password") {
    auto cfg = test_server_config();
    cfg.bind_guard.slowdown_after = 3;
    cfg.bind_guard.slowdown = 40ms;
    cfg.bind_guard.lockout_after = 6;
    cfg.timers.bind_timeout = 2s;
    ServerThread s(cfg);
    std::vector<std::chrono::milliseconds> took;
    for (int i = 0; i < 7; ++i) {
        RawClient c(s.port());
        auto t = std::chrono::steady_clock::now();
        auto b = c.bind("esme", "guess" + std::to_string(i));
        took.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - t));
        CHECK(b.command_status == status::bindfail);
    }
    // The first three fast, then 40, 80, 160 ms; the 7th is locked out (answered at once).
    for (int i = 0; i < 3; ++i)
        CHECK(took[static_cast<std::size_t>(i)] < 40ms);
    CHECK(took[3] >= 40ms);
    CHECK(took[4] >= 80ms);
    CHECK(took[5] >= 160ms);
    // Locked out: the right password is refused too (from this address), without a look.
    RawClient right(s.port());
    CHECK(right.bind("esme", "secret").command_status == status::bindfail);
    // Another address is not locked, but the account counts its failures: answers are slow.
    RawClient other(s.port(), 5000ms, 0x7F000002);
    auto t = std::chrono::steady_clock::now();
    CHECK(other.bind("esme", "secret").command_status == status::ok);
    CHECK(std::chrono::steady_clock::now() - t >= 40ms);
}

TEST_CASE("server: junk bytes get generic_nack or a close; the server goes on") {
    ServerThread s;
    {
        // A well-framed PDU with an unknown command: generic_nack, the session goes on.
        RawClient c(s.port());
        REQUIRE(c.bind("esme", "secret").command_status == status::ok);
        REQUIRE(c.send(raw_header(16, 0x0000ABCD, 0, 77)));
        auto n = c.read_pdu();
        REQUIRE(n.has_value());
        CHECK(std::holds_alternative<GenericNack>(n->body));
        CHECK(n->command_status == status::invcmdid);
        CHECK(n->sequence_number == 77);
        REQUIRE(c.send(Pdu{status::ok, 5, test_submit()}));
        auto r = c.read_pdu();
        REQUIRE(r.has_value());
        CHECK(r->command_status == status::ok);
    }
    {
        // Random bytes: answered or closed, never crashes.
        std::mt19937 rng(42);
        for (int round = 0; round < 10; ++round) {
            RawClient c(s.port(), 2000ms);
            std::vector<std::uint8_t> junk(200 + round * 97);
            for (auto& b : junk)
                b = static_cast<std::uint8_t>(rng());
            c.send(junk);
            CHECK(c.closed_by_peer());
        }
    }
    check_normal_client(s.port());
}

TEST_CASE("server: command_length 0, 15 or huge is answered invcmdlen and closed") {
    ServerThread s;
    for (std::uint32_t len : {0u, 15u, 0xFFFFFFF0u, 1000000u}) {
        CAPTURE(len);
        RawClient c(s.port());
        REQUIRE(c.send(raw_header(len, 0x00000004, 0, 3)));
        auto n = c.read_pdu();
        REQUIRE(n.has_value());
        CHECK(std::holds_alternative<GenericNack>(n->body));
        CHECK(n->command_status == status::invcmdlen);
        CHECK(c.closed_by_peer());
    }
    check_normal_client(s.port());
}

TEST_CASE("server: a truncated PDU then silence, and a peer that never binds, are closed") {
    ServerThread s;  // bind_timeout 500 ms, inactivity 3 s
    {
        RawClient silent(s.port());
        auto t = std::chrono::steady_clock::now();
        CHECK(silent.closed_by_peer());
        CHECK(std::chrono::steady_clock::now() - t >= 400ms);
    }
    {
        RawClient c(s.port());
        auto frame = encode(Pdu{status::ok, 1, test_submit()}).value();
        frame.resize(frame.size() / 2);
        REQUIRE(c.send(frame));
        CHECK(c.closed_by_peer());
    }
    {
        // After a bind, a half PDU and silence: the inactivity limit closes it.
        RawClient c(s.port(), 6000ms);
        REQUIRE(c.bind("esme", "secret").command_status == status::ok);
        auto frame = encode(Pdu{status::ok, 2, test_submit()}).value();
        frame.resize(20);
        REQUIRE(c.send(frame));
        CHECK(c.closed_by_peer());
    }
    check_normal_client(s.port());
}

TEST_CASE("server: a PDU with hundreds of tiny TLVs is refused, not fatal") {
    ServerThread s;
    RawClient c(s.port());
    REQUIRE(c.bind("esme", "secret").command_status == status::ok);
    auto frame = encode(Pdu{status::ok, 7, test_submit()}).value();
    for (int i = 0; i < 500; ++i) {
        // tag 0x1400 + i, length 1, value i
        frame.push_back(0x14);
        frame.push_back(static_cast<std::uint8_t>(i));
        frame.push_back(0);
        frame.push_back(1);
        frame.push_back(static_cast<std::uint8_t>(i));
    }
    fix_length(frame);
    REQUIRE(c.send(frame));
    auto r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->sequence_number == 7);
    CHECK(r->command_status != status::ok);
    // The session is still usable.
    REQUIRE(c.send(Pdu{status::ok, 8, test_submit()}));
    auto ok = c.read_pdu();
    REQUIRE(ok.has_value());
    CHECK(ok->command_status == status::ok);
    check_normal_client(s.port());
}

TEST_CASE("server: requests before bind get invbndsts") {
    ServerThread s;
    RawClient c(s.port());
    REQUIRE(c.send(Pdu{status::ok, 4, test_submit()}));
    auto r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->command_status == status::invbndsts);
    CHECK(std::holds_alternative<SubmitSmResp>(r->body));
}

TEST_CASE("server: a flood beyond the window/throughput is throttled; others are served") {
    auto cfg = test_server_config();
    AccountConfig flood;
    flood.system_id = "flood";
    flood.password = Secret("pw");
    flood.throughput = 200;  // per second
    flood.roles = {"sms"};
    cfg.accounts.push_back(flood);
    ServerThread s(cfg);
    RawClient f(s.port(), 10000ms);
    REQUIRE(f.bind("flood", "pw").command_status == status::ok);
    RawClient good(s.port());
    REQUIRE(good.bind("esme", "secret").command_status == status::ok);

    constexpr std::uint32_t kFlood = 3000;
    std::vector<std::uint8_t> all;
    for (std::uint32_t seq = 10; seq < 10 + kFlood; ++seq)
        REQUIRE(encode(Pdu{status::ok, seq, test_submit()}, all).ok());
    REQUIRE(f.send(all));
    // The well-behaved client is served during the flood.
    for (std::uint32_t seq = 100; seq < 120; ++seq) {
        REQUIRE(good.send(Pdu{status::ok, seq, test_submit()}));
        auto r = good.read_pdu();
        REQUIRE(r.has_value());
        CHECK(r->command_status == status::ok);
    }
    std::uint32_t ok = 0, throttled = 0, other = 0;
    for (std::uint32_t i = 0; i < kFlood; ++i) {
        auto r = f.read_pdu();
        REQUIRE(r.has_value());
        if (r->command_status == status::ok)
            ++ok;
        else if (r->command_status == status::throttled)
            ++throttled;
        else
            ++other;
    }
    CHECK(ok + throttled == kFlood);
    CHECK(other == 0);
    CHECK(throttled > 0);
    CHECK(ok > 0);
    check_normal_client(s.port());
}

TEST_CASE("server: a client that never reads its responses does not grow the server") {
    ServerThread s;
    RawClient c(s.port());
    REQUIRE(c.bind("esme", "secret").command_status == status::ok);
    // Tens of MB of enquire_link without reading: the server stops reading from this peer
    // (TCP back-pressure) instead of buffering the answers; our send then blocks: stop
    // sending after a bounded amount.
    std::vector<std::uint8_t> batch;
    for (std::uint32_t seq = 1; seq <= 4096; ++seq)
        REQUIRE(encode(Pdu{status::ok, seq, EnquireLink{}}, batch).ok());
    std::size_t sent = 0;
    for (int i = 0; i < 2000; ++i) {
        auto n = ::send(c.fd(), batch.data(), batch.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    CHECK(sent < 2000 * batch.size());  // back-pressure reached us
    check_normal_client(s.port());
}

TEST_CASE("server: stop() unbinds bound sessions and finishes") {
    ServerThread s;
    RawClient c(s.port());
    REQUIRE(c.bind("esme", "secret").command_status == status::ok);
    std::thread answer([&] {
        auto u = c.read_pdu();
        REQUIRE(u.has_value());
        CHECK(std::holds_alternative<Unbind>(u->body));
        c.send(Pdu{status::ok, u->sequence_number, UnbindResp{}});
    });
    CHECK(s.stop());
    answer.join();
    CHECK(c.closed_by_peer());
}

TEST_CASE("server: send_to delivers deliver_sm to a bound receiver") {
    ServerThread s;
    RawClient rx(s.port());
    REQUIRE(rx.bind("esme", "secret", BindType::receiver).command_status == status::ok);
    auto got = std::make_shared<std::promise<RequestOutcome>>();
    auto r = s.on_io([got](SmppServer& srv) {
        DeliverSm d;
        d.source.address = "375291234567";
        d.short_message = "*141#";
        return srv.send_to("esme", d, [got](RequestOutcome& o) { got->set_value(o); });
    });
    REQUIRE(r.ok());
    CHECK(s.on_io([](SmppServer& srv) { return srv.send_to("nobody", DeliverSm{}, {}); }).error ==
          SendError::not_bound);
    auto d = rx.read_pdu();
    REQUIRE(d.has_value());
    REQUIRE(std::holds_alternative<DeliverSm>(d->body));
    CHECK(std::get<DeliverSm>(d->body).short_message == "*141#");
    REQUIRE(rx.send(Pdu{status::ok, d->sequence_number, DeliverSmResp{}}));
    auto fut = got->get_future();
    REQUIRE(fut.wait_for(5s) == std::future_status::ready);
    CHECK(fut.get().ok());
}

TEST_CASE("server: a request needing a role the account lacks is refused ESME_RINVSERTYP") {
    auto cfg = test_server_config();
    cfg.accounts[0].roles = {"ussd"};
    AccountConfig none;
    none.system_id = "none";
    none.password = Secret("pw");
    cfg.accounts.push_back(none);
    int served = 0;
    TestApp app;
    app.server_request = [&served](const PeerInfo&, const Pdu&, SmppReply r) {
        ++served;
        r.accept("m1");
    };
    ServerThread s(cfg, &app);
    SubmitSm ussd = test_submit("menu");
    ussd.tlvs.ussd_service_op = ussd_op::ussr_request;
    {
        RawClient c(s.port());
        REQUIRE(c.bind("esme", "secret").command_status == status::ok);
        REQUIRE(c.send(Pdu{status::ok, 2, test_submit()}));  // an SMS: needs "sms"
        auto r = c.read_pdu();
        REQUIRE(r.has_value());
        CHECK(r->command_status == status::invsertyp);
        CHECK(std::get<SubmitSmResp>(r->body).message_id.empty());
        REQUIRE(c.send(Pdu{status::ok, 3, ussd}));  // USSD: the account has the role
        CHECK(c.read_pdu()->command_status == status::ok);
    }
    {
        RawClient c(s.port());
        REQUIRE(c.bind("none", "pw").command_status == status::ok);
        for (std::uint32_t seq = 2; seq < 5; ++seq) {
            REQUIRE(c.send(Pdu{status::ok, seq, seq == 3 ? ussd : test_submit()}));
            CHECK(c.read_pdu()->command_status == status::invsertyp);
        }
        DataSm d;
        d.tlvs.message_payload = "data";
        REQUIRE(c.send(Pdu{status::ok, 5, d}));
        auto r = c.read_pdu();
        REQUIRE(r.has_value());
        CHECK(std::holds_alternative<DataSmResp>(r->body));
        CHECK(r->command_status == status::invsertyp);
    }
    CHECK(served == 1);
}

TEST_CASE("server: the default application refuses every request, none accepted silently") {
    SmppApplication app;
    ServerThread s(test_server_config(), &app);
    RawClient c(s.port());
    REQUIRE(c.bind("esme", "secret").command_status == status::ok);
    REQUIRE(c.send(Pdu{status::ok, 2, test_submit()}));
    CHECK(c.read_pdu()->command_status == status::invsertyp);
}

}  // namespace smpp_server_test
