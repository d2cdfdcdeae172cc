// SmppSession, the owner's side (smpp/SmppSessionCommands.cpp), without sockets or sleeps:
// bind, send_request (window, throughput, sequence numbers), unbind, and the timers (bind,
// response and late windows, enquire_link, inactivity, partial frames), time injected.
#include <doctest/doctest.h>

#include "SmppSessionTestSupport.hpp"
#include "SmppTestSupport.hpp"
#include "smpp/PduCodec.hpp"
#include "smpp/SmppSession.hpp"

namespace smpp_session_commands_test {

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

TEST_CASE("bind: no bind_resp in time fails the bind; a silent peer never binding is closed") {
    SmppSession esme(esme_config(), t0());
    REQUIRE(esme.bind(bind_req(), t0()).ok());
    REQUIRE(esme.next_deadline().has_value());
    CHECK(*esme.next_deadline() == t0() + 10s);
    esme.on_time(t0() + 9s);
    CHECK(esme.state() == SessionState::binding);
    esme.on_time(t0() + 10s);
    CHECK(esme.closed());
    CHECK(esme.close_reason() == CloseReason::bind_timeout);

    SmppSession smsc(smsc_config(), t0());
    CHECK(*smsc.next_deadline() == t0() + 10s);
    smsc.on_time(t0() + 10s);
    CHECK(smsc.closed());
    CHECK(smsc.close_reason() == CloseReason::bind_timeout);
}

TEST_CASE("window: full after `window` outstanding requests, free again after a response") {
    auto ec = esme_config();
    ec.window = 2;
    BoundPair p(BindType::transceiver, ec);
    CHECK(p.esme.send_request(submit(), t0()).ok());
    CHECK(p.esme.send_request(submit(), t0()).ok());
    CHECK(p.esme.can_send(t0()) == SendError::window_full);
    CHECK(p.esme.send_request(submit(), t0()).error == SendError::window_full);
    pass(p.esme, p.smsc);
    auto se = events(p.smsc);
    REQUIRE(se.size() == 2);
    p.smsc.respond(Pdu{status::ok, se[0].sequence_number, SubmitSmResp{"a"}});
    pump(p.esme, p.smsc, t0());
    CHECK(p.esme.outstanding() == 1);
    CHECK(p.esme.send_request(submit(), t0()).ok());
}

// A slow SMSC's answer after the response timeout used to be dropped, so the engine sent
// the SMS part again and the SMSC got it twice (tests/interop/sms_faults_node_test.js checks
// it end to end): it is now taken within one more response timeout (the late window), and
// forgotten after it.

TEST_CASE("response timeout via injected time; a late response within the late window is taken") {
    BoundPair p;
    auto r = p.esme.send_request(submit(), t0(), 5);
    REQUIRE(r.ok());
    pass(p.esme, p.smsc);
    auto se = events(p.smsc);
    CHECK(p.esme.next_deadline() <= t0() + 10s);
    p.esme.on_time(t0() + 10s);
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::response_timeout);
    CHECK(ee[0].reason == CloseReason::none);
    CHECK(ee[0].context == 5);
    CHECK(ee[0].late_until == t0() + 20s);
    CHECK(p.esme.outstanding() == 0);  // out of the window
    CHECK(p.esme.next_deadline() <= t0() + 20s);
    p.smsc.respond(Pdu{status::ok, r.sequence_number, SubmitSmResp{"late"}});
    pump(p.esme, p.smsc, t0() + 15s);
    ee = events(p.esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::response);
    CHECK(ee[0].late);
    CHECK(ee[0].context == 5);
    CHECK(ee[0].status == status::ok);
    CHECK(std::get<SubmitSmResp>(ee[0].pdu.body).message_id == "late");
    p.esme.on_time(t0() + 20s);
    CHECK(events(p.esme).empty());  // answered: no late_expired
    CHECK(p.esme.bound());
}

TEST_CASE("after the late window a response is ignored; a close ends the late windows") {
    BoundPair p;
    auto r1 = p.esme.send_request(submit("one"), t0(), 1);
    auto r2 = p.esme.send_request(submit("two"), t0() + 1s, 2);
    REQUIRE((r1.ok() && r2.ok()));
    pass(p.esme, p.smsc, t0() + 1s);
    auto se = events(p.smsc);
    p.esme.on_time(t0() + 10s);
    p.esme.on_time(t0() + 11s);
    CHECK(events(p.esme).size() == 2);  // both timed out, late windows until t0 + 20 s, 21 s
    p.esme.on_time(t0() + 20s);
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::late_expired);
    CHECK(ee[0].context == 1);
    p.smsc.respond(Pdu{status::ok, r1.sequence_number, SubmitSmResp{"too late"}});
    pump(p.esme, p.smsc, t0() + 20s);
    CHECK(events(p.esme).empty());
    p.esme.close(CloseReason::transport, "gone");
    ee = events(p.esme);
    REQUIRE(ee.size() == 2);
    CHECK(ee[0].kind == EventKind::late_expired);
    CHECK(ee[0].context == 2);
    CHECK(ee[0].reason == CloseReason::transport);
    CHECK(ee[1].kind == EventKind::closed);
}

TEST_CASE("the late windows are bounded by the window") {
    BoundPair p;  // window 10
    for (std::uint64_t i = 0; i < 10; ++i)
        REQUIRE(p.esme.send_request(submit(), t0(), i).ok());
    p.esme.on_time(t0() + 10s);
    CHECK(events(p.esme).size() == 10);
    for (std::uint64_t i = 10; i < 13; ++i)
        REQUIRE(p.esme.send_request(submit(), t0() + 5s, i).ok());
    // 3 more time out while the 10 late windows (until t0 + 20 s) are open: the 3 oldest
    // make way.
    p.esme.on_time(t0() + 15s);
    auto ee = events(p.esme);
    std::vector<std::uint64_t> expired;
    std::size_t timeouts = 0;
    for (const auto& e : ee) {
        if (e.kind == EventKind::late_expired) expired.push_back(e.context);
        timeouts += e.kind == EventKind::response_timeout;
    }
    CHECK(expired == std::vector<std::uint64_t>{0, 1, 2});
    CHECK(timeouts == 3);
}

TEST_CASE("enquire_link: sent after the idle interval, answered by the peer, both ways") {
    BoundPair p;
    CHECK(*p.esme.next_deadline() == t0() + 30s);
    p.esme.on_time(t0() + 29s);
    CHECK_FALSE(p.esme.has_output());
    p.esme.on_time(t0() + 30s);
    std::vector<std::uint8_t> buf;
    p.esme.take_output(buf);
    auto sent = frames(buf);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].command_id() == static_cast<std::uint32_t>(CommandId::enquire_link));
    p.smsc.receive(buf, t0() + 30s);
    auto answer = output_pdus(p.smsc);
    REQUIRE(answer.size() == 1);
    CHECK(answer[0].command_id() == static_cast<std::uint32_t>(CommandId::enquire_link_resp));
    CHECK(answer[0].sequence_number == sent[0].sequence_number);
    p.esme.receive(encode(answer[0]).value(), t0() + 31s);
    CHECK(*p.esme.next_deadline() == t0() + 61s);
    CHECK(events(p.esme).empty());

    // The SMSC side sends its own enquire_link too, and the ESME answers it.
    p.smsc.on_time(t0() + 60s);
    pump(p.esme, p.smsc, t0() + 60s);
    CHECK(p.smsc.bound());
    CHECK(*p.smsc.next_deadline() == t0() + 90s);
}

TEST_CASE("enquire_link unanswered, or nothing received for the inactivity limit: close") {
    BoundPair p;
    p.esme.on_time(t0() + 30s);
    CHECK(p.esme.has_output());
    p.esme.on_time(t0() + 40s);
    CHECK(p.esme.closed());
    CHECK(p.esme.close_reason() == CloseReason::peer_silent);

    auto ec = esme_config();
    ec.timers.enquire_link_interval = 0s;
    ec.timers.inactivity_timeout = 50s;
    BoundPair q(BindType::transceiver, ec);
    CHECK(*q.esme.next_deadline() == t0() + 50s);
    q.esme.on_time(t0() + 50s);
    CHECK(q.esme.closed());
    CHECK(q.esme.close_reason() == CloseReason::peer_silent);
}

TEST_CASE("throughput: the token bucket throttles outgoing requests") {
    auto ec = esme_config();
    ec.throughput = 10;  // 1 token per 100 ms, burst 1
    BoundPair p(BindType::transceiver, ec);
    CHECK(p.esme.send_request(submit(), t0()).ok());
    CHECK(p.esme.send_request(submit(), t0()).error == SendError::throttled);
    CHECK(p.esme.next_send_time(t0()) == t0() + 100ms);
    CHECK(p.esme.send_request(submit(), t0() + 50ms).error == SendError::throttled);
    CHECK(p.esme.send_request(submit(), t0() + 100ms).ok());
}

TEST_CASE("sequence numbers wrap from 0x7FFFFFFF to 1") {
    auto ec = esme_config();
    ec.first_sequence = 0x7FFFFFFE;
    BoundPair p(BindType::transceiver, ec);  // the bind used 0x7FFFFFFE
    CHECK(p.esme.send_request(submit(), t0()).sequence_number == 0x7FFFFFFF);
    CHECK(p.esme.send_request(submit(), t0()).sequence_number == 1);
    CHECK(p.esme.send_request(submit(), t0()).sequence_number == 2);
}

TEST_CASE("unbind from the ESME: unbind_resp closes both sides cleanly") {
    BoundPair p;
    REQUIRE(p.esme.send_request(submit(), t0(), 1).ok());
    p.esme.unbind(t0());
    CHECK(p.esme.state() == SessionState::unbinding);
    pump(p.esme, p.smsc, t0());
    // The submit came first: it is handed over, and the unbind waits for its answer.
    auto se = events(p.smsc);
    REQUIRE(se.size() == 1);
    CHECK(se[0].kind == EventKind::request);
    CHECK_FALSE(p.smsc.wants_input());
    p.smsc.respond(Pdu{status::ok, se[0].sequence_number, SubmitSmResp{"m"}});
    se = events(p.smsc);
    REQUIRE(se.size() == 2);
    CHECK(se[0].kind == EventKind::peer_unbound);
    CHECK(se[1].kind == EventKind::closed);
    CHECK(se[1].reason == CloseReason::peer_unbound);
    pump(p.esme, p.smsc, t0());
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 2);
    CHECK(ee[0].kind == EventKind::response);
    CHECK(ee[0].context == 1);
    CHECK(ee[1].kind == EventKind::closed);
    CHECK(ee[1].reason == CloseReason::unbound);
}

TEST_CASE(
    "unbind from the ESME while its submit is never answered: lost, reported with the close") {
    BoundPair p;
    REQUIRE(p.esme.send_request(submit(), t0(), 1).ok());
    p.esme.unbind(t0());
    pump(p.esme, p.smsc, t0());
    REQUIRE(events(p.smsc).size() == 1);  // the request; the application never answers
    CHECK(*p.smsc.next_deadline() == t0() + 10s);
    p.smsc.on_time(t0() + 9s);
    CHECK(p.smsc.bound());
    // After the response timeout the unbind goes on without the answer.
    p.smsc.on_time(t0() + 10s);
    CHECK(p.smsc.close_reason() == CloseReason::peer_unbound);
    pass(p.smsc, p.esme, t0() + 10s);
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 2);
    CHECK(ee[0].kind == EventKind::response_timeout);
    CHECK(ee[0].reason == CloseReason::unbound);
    CHECK(ee[1].kind == EventKind::closed);
    CHECK(ee[1].reason == CloseReason::unbound);
}

TEST_CASE("unbind from the SMSC; an unanswered unbind closes after the unbind timeout") {
    BoundPair p;
    p.smsc.unbind(t0());
    pump(p.esme, p.smsc, t0());
    CHECK(p.esme.close_reason() == CloseReason::peer_unbound);
    CHECK(p.smsc.close_reason() == CloseReason::unbound);

    BoundPair q;
    q.esme.unbind(t0());
    CHECK(*q.esme.next_deadline() == t0() + 2s);
    q.esme.on_time(t0() + 2s);
    CHECK(q.esme.closed());
    CHECK(q.esme.close_reason() == CloseReason::unbound);

    // unbind before bound: closes at once; unbind received before bound: invbndsts.
    SmppSession e(esme_config(), t0());
    e.unbind(t0());
    CHECK(e.closed());
    SmppSession s(smsc_config(), t0());
    s.receive(encode(Pdu{status::ok, 5, Unbind{}}).value(), t0());
    CHECK(output_pdus(s).at(0).command_status == status::invbndsts);
    CHECK_FALSE(s.closed());
}

TEST_CASE("a partial frame must complete within the response timeout (slow-loris peers)") {
    BoundPair p;
    auto frame = encode(Pdu{status::ok, 60, submit()}).value();
    auto half = frame.size() / 2;
    p.smsc.receive(std::span<const std::uint8_t>(frame.data(), half), t0() + 1s);
    CHECK(*p.smsc.next_deadline() == t0() + 11s);
    // Completed in time: no close, the deadline goes away.
    p.smsc.receive(std::span<const std::uint8_t>(frame.data() + half, frame.size() - half),
                   t0() + 5s);
    CHECK(events(p.smsc).size() == 1);
    p.smsc.on_time(t0() + 11s);
    CHECK(p.smsc.bound());
    // Trickled byte by byte (each byte resets the inactivity timer, not this one): closed.
    for (int i = 0; i < 10; ++i)
        p.smsc.receive(std::span<const std::uint8_t>(&frame[static_cast<std::size_t>(i)], 1),
                       t0() + 20s + std::chrono::seconds(i));
    p.smsc.on_time(t0() + 30s);
    CHECK(p.smsc.closed());
    CHECK(p.smsc.close_reason() == CloseReason::peer_silent);
}

}  // namespace smpp_session_commands_test
