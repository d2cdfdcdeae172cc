// SmppSession, the peer's side, without sockets or sleeps: two sessions (ESME and SMSC)
// wired to each other, time injected. What arrives (binds, requests, responses, junk and
// frames cut anywhere). The owner's commands and the timers: SmppSessionCommands_test.
#include "smpp/SmppSession.hpp"

#include <doctest/doctest.h>

#include "SmppSessionTestSupport.hpp"
#include "SmppTestSupport.hpp"
#include "smpp/PduCodec.hpp"

namespace smpp_session_test {

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;
using namespace std::chrono_literals;

TEST_CASE("bind: ESME and SMSC agree, both report bound") {
    SmppSession esme(esme_config(), t0());
    SmppSession smsc(smsc_config(), t0());
    CHECK(esme.state() == SessionState::open);
    auto r = esme.bind(bind_req(), t0());
    REQUIRE(r.ok());
    CHECK(r.sequence_number == 1);
    CHECK(esme.state() == SessionState::binding);
    pump(esme, smsc, t0());
    CHECK(esme.state() == SessionState::bound_trx);
    CHECK(smsc.state() == SessionState::bound_trx);
    auto se = events(smsc);
    REQUIRE(se.size() == 1);
    CHECK(se[0].kind == EventKind::bound);
    CHECK(std::get<BindRequest>(se[0].pdu.body).system_id == "gw");
    CHECK(smsc.bind_request().system_id == "gw");
    auto ee = events(esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::bound);
    auto& resp = std::get<BindResponse>(ee[0].pdu.body);
    CHECK(resp.system_id == "smsc");
    CHECK(resp.sc_interface_version == std::optional<std::uint8_t>(0x34));
}

TEST_CASE("bind: each bind type gives its state; interface_version 0x50 is accepted like 0x34") {
    for (auto [t, st] : {std::pair{BindType::transmitter, SessionState::bound_tx},
                         std::pair{BindType::receiver, SessionState::bound_rx},
                         std::pair{BindType::transceiver, SessionState::bound_trx}}) {
        SmppSession esme(esme_config(), t0());
        SmppSession smsc(smsc_config(), t0());
        REQUIRE(esme.bind(bind_req(t, 0x50), t0()).ok());
        pump(esme, smsc, t0());
        CHECK(esme.state() == st);
        CHECK(smsc.state() == st);
    }
}

TEST_CASE("bind: a wrong password is refused and both sides close") {
    SmppSession esme(esme_config(), t0());
    SmppSession smsc(smsc_config(), t0());
    auto b = bind_req();
    b.password = "nope";
    REQUIRE(esme.bind(b, t0()).ok());
    // The SMSC answers before it closes: its bind_resp carries ESME_RINVPASWD.
    pass(esme, smsc);
    CHECK(smsc.closed());
    CHECK(smsc.close_reason() == CloseReason::bind_failed);
    std::vector<std::uint8_t> buf;
    smsc.take_output(buf);
    auto out = frames(buf);
    REQUIRE(out.size() == 1);
    CHECK(out[0].command_id() == static_cast<std::uint32_t>(CommandId::bind_transceiver_resp));
    CHECK(out[0].command_status == status::invpaswd);
    esme.receive(buf, t0());
    auto ee = events(esme);
    REQUIRE(ee.size() == 2);
    CHECK(ee[0].kind == EventKind::bind_failed);
    CHECK(ee[0].status == status::invpaswd);
    CHECK(ee[1].kind == EventKind::closed);
    CHECK(ee[1].reason == CloseReason::bind_failed);
    CHECK_FALSE(esme.next_deadline().has_value());
}

TEST_CASE("bind: an SMSC without an authenticator refuses; a second bind gets ALYBND") {
    SessionConfig sc;
    sc.role = Role::smsc;
    SmppSession smsc(sc, t0());
    SmppSession esme(esme_config(), t0());
    REQUIRE(esme.bind(bind_req(), t0()).ok());
    pump(esme, smsc, t0());
    CHECK(esme.closed());
    CHECK(smsc.closed());

    BoundPair p;
    Pdu again{status::ok, 77, bind_req()};
    p.smsc.receive(encode(again).value(), t0());
    auto out = output_pdus(p.smsc);
    REQUIRE(out.size() == 1);
    CHECK(out[0].command_status == status::alybnd);
    CHECK(out[0].sequence_number == 77);
    CHECK(p.smsc.bound());
}

TEST_CASE("bind: a verdict with a delay is answered then, and nothing is read meanwhile") {
    auto sc = smsc_config();
    sc.authenticate = [](const BindRequest& r, TimePoint) {
        BindVerdict v;
        v.status = r.password == "pw" ? status::ok : status::bindfail;
        v.delay = 2s;
        return v;
    };
    for (const char* password : {"pw", "wrong"}) {
        CAPTURE(password);
        SmppSession smsc(sc, t0() - 9s);  // the bind timeout (10 s) falls within the delay
        auto b = bind_req();
        b.password = password;
        std::vector<std::uint8_t> bytes;
        REQUIRE(encode(Pdu{status::ok, 1, b}, bytes).ok());
        REQUIRE(encode(Pdu{status::ok, 2, submit()}, bytes).ok());  // sent right behind it
        smsc.receive(bytes, t0());
        CHECK_FALSE(smsc.has_output());
        CHECK_FALSE(smsc.wants_input());
        CHECK(smsc.state() == SessionState::open);
        CHECK(*smsc.next_deadline() == t0() + 2s);
        smsc.on_time(t0() + 1s);
        CHECK_FALSE(smsc.has_output());
        CHECK_FALSE(smsc.closed());
        smsc.on_time(t0() + 2s);
        auto out = output_pdus(smsc);
        REQUIRE_FALSE(out.empty());
        CHECK(out[0].command_id() == static_cast<std::uint32_t>(CommandId::bind_transceiver_resp));
        auto ev = events(smsc, t0() + 2s);
        if (std::string(password) == "pw") {
            CHECK(out[0].command_status == status::ok);
            CHECK(smsc.bound());
            REQUIRE(ev.size() == 2);
            CHECK(ev[0].kind == EventKind::bound);
            CHECK(ev[1].kind == EventKind::request);
            CHECK(ev[1].sequence_number == 2);
        } else {
            CHECK(out[0].command_status == status::bindfail);
            CHECK(smsc.close_reason() == CloseReason::bind_failed);
        }
    }
}

TEST_CASE("submit: request event at the SMSC, response with the context at the ESME") {
    BoundPair p;
    auto r = p.esme.send_request(submit("hi"), t0(), 4242);
    REQUIRE(r.ok());
    CHECK(p.esme.outstanding() == 1);
    pass(p.esme, p.smsc);
    auto se = events(p.smsc);
    REQUIRE(se.size() == 1);
    CHECK(se[0].kind == EventKind::request);
    CHECK(se[0].sequence_number == r.sequence_number);
    CHECK(std::get<SubmitSm>(se[0].pdu.body).short_message == "hi");
    p.smsc.respond(Pdu{status::ok, se[0].sequence_number, SubmitSmResp{"m1"}});
    pump(p.esme, p.smsc, t0());
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::response);
    CHECK(ee[0].context == 4242);
    CHECK(ee[0].request_command_id == static_cast<std::uint32_t>(CommandId::submit_sm));
    CHECK(std::get<SubmitSmResp>(ee[0].pdu.body).message_id == "m1");
    CHECK(p.esme.outstanding() == 0);
}

TEST_CASE("deliver_sm flows from the SMSC to a receiver; respond_error answers with a status") {
    BoundPair p(BindType::receiver);
    DeliverSm d;
    d.source.address = "375291234567";
    d.short_message = "*141#";
    d.tlvs.ussd_service_op = ussd_op::pssr_indication;
    auto r = p.smsc.send_request(d, t0(), 9);
    REQUIRE(r.ok());
    pass(p.smsc, p.esme);
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::request);
    CHECK(std::get<DeliverSm>(ee[0].pdu.body).tlvs.ussd_service_op == ussd_op::pssr_indication);
    p.esme.respond_error(ee[0].pdu, status::syserr);
    pump(p.esme, p.smsc, t0());
    auto se = events(p.smsc);
    REQUIRE(se.size() == 1);
    CHECK(se[0].kind == EventKind::response);
    CHECK(se[0].status == status::syserr);
    CHECK(se[0].context == 9);
    // A receiver cannot submit.
    CHECK(p.esme.send_request(submit(), t0()).error == SendError::not_bound);
}

TEST_CASE("an incoming flood beyond the receive window is answered ESME_RTHROTTLED") {
    auto ec = esme_config();
    ec.window = 10;
    auto sc = smsc_config();
    sc.receive_window = 3;
    BoundPair p(BindType::transceiver, ec, sc);
    for (int i = 0; i < 8; ++i)
        REQUIRE(p.esme.send_request(submit(), t0(), static_cast<std::uint64_t>(i)).ok());
    pass(p.esme, p.smsc);
    auto se = events(p.smsc);
    CHECK(se.size() == 3);
    CHECK(p.smsc.stats().throttled_in == 5);
    pass(p.smsc, p.esme);
    auto ee = events(p.esme);
    REQUIRE(ee.size() == 5);
    for (auto& e : ee)
        CHECK(e.status == status::throttled);
    // Once the application answers, new requests are accepted again.
    for (auto& e : se)
        p.smsc.respond(Pdu{status::ok, e.sequence_number, SubmitSmResp{"x"}});
    pump(p.esme, p.smsc, t0());
    REQUIRE(p.esme.send_request(submit(), t0()).ok());
    pass(p.esme, p.smsc);
    CHECK(events(p.smsc).size() == 1);
}

TEST_CASE("an account throughput limit on the SMSC answers excess requests ESME_RTHROTTLED") {
    auto sc = smsc_config();
    sc.authenticate = [](const BindRequest&, TimePoint) { return BindVerdict{status::ok, 2.0}; };
    BoundPair p(BindType::transceiver, esme_config(), sc);
    for (int i = 0; i < 3; ++i)
        REQUIRE(p.esme.send_request(submit(), t0()).ok());
    pass(p.esme, p.smsc);
    CHECK(events(p.smsc).size() == 1);
    CHECK(p.smsc.stats().throttled_in == 2);
}

TEST_CASE("junk: an unknown command gets generic_nack, the session goes on") {
    BoundPair p;
    p.smsc.receive(raw_header(16, 0x00000099, 0, 1234), t0());
    auto out = output_pdus(p.smsc);
    REQUIRE(out.size() == 1);
    CHECK(std::holds_alternative<GenericNack>(out[0].body));
    CHECK(out[0].command_status == status::invcmdid);
    CHECK(out[0].sequence_number == 1234);
    CHECK(p.smsc.bound());
    CHECK(p.smsc.stats().nacks_out == 1);
}

TEST_CASE("unframeable: command_length below 16 or huge closes the session") {
    for (std::uint32_t len : {0u, 15u, 0x7FFFFFFFu}) {
        BoundPair p;
        p.smsc.receive(raw_header(len, 0x00000004, 0, 9), t0());
        CHECK(p.smsc.closed());
        CHECK(p.smsc.close_reason() == CloseReason::unframeable);
        auto out = output_pdus(p.smsc);
        REQUIRE(out.size() == 1);
        CHECK(std::holds_alternative<GenericNack>(out[0].body));
        CHECK(out[0].command_status == status::invcmdlen);
    }
}

TEST_CASE("partial frames, byte by byte, and several frames in one read") {
    BoundPair p;
    std::vector<std::uint8_t> two;
    REQUIRE(encode(Pdu{status::ok, 50, submit("one")}, two).ok());
    REQUIRE(encode(Pdu{status::ok, 51, submit("two")}, two).ok());
    for (std::size_t i = 0; i + 1 < two.size(); ++i)
        p.smsc.receive(std::span<const std::uint8_t>(&two[i], 1), t0());
    auto se = events(p.smsc);
    CHECK(se.size() == 1);
    p.smsc.receive(std::span<const std::uint8_t>(&two.back(), 1), t0());
    se = events(p.smsc);
    REQUIRE(se.size() == 1);
    CHECK(std::get<SubmitSm>(se[0].pdu.body).short_message == "two");

    auto many = repeated(submit(), 100, 104);
    many.resize(many.size() - 3);  // the last one arrives later
    p.smsc.receive(many, t0());
    CHECK(events(p.smsc).size() == 4);
}

TEST_CASE("state errors: requests before bind get invbndsts; commands refuse when unbound") {
    SmppSession smsc(smsc_config(), t0());
    smsc.receive(encode(Pdu{status::ok, 3, submit()}).value(), t0());
    auto out = output_pdus(smsc);
    REQUIRE(out.size() == 1);
    CHECK(std::holds_alternative<SubmitSmResp>(out[0].body));
    CHECK(out[0].command_status == status::invbndsts);
    CHECK(out[0].sequence_number == 3);
    CHECK(smsc.state() == SessionState::open);
    // enquire_link is answered in any state.
    smsc.receive(encode(Pdu{status::ok, 4, EnquireLink{}}).value(), t0());
    CHECK(output_pdus(smsc).at(0).command_id() ==
          static_cast<std::uint32_t>(CommandId::enquire_link_resp));

    SmppSession esme(esme_config(), t0());
    CHECK(esme.send_request(submit(), t0()).error == SendError::not_bound);
    CHECK(esme.send_request(EnquireLink{}, t0()).error == SendError::invalid);
    // A transmitter-bound SMSC session may not receive deliver_sm from the SMSC side.
    BoundPair tx(BindType::transmitter);
    DeliverSm d;
    CHECK(tx.smsc.send_request(d, t0()).error == SendError::not_bound);
    // And an ESME bound as transmitter answers a deliver_sm with invbndsts.
    tx.esme.receive(encode(Pdu{status::ok, 8, DeliverSm{}}).value(), t0());
    auto r = output_pdus(tx.esme);
    REQUIRE(r.size() == 1);
    CHECK(r[0].command_status == status::invbndsts);
}

TEST_CASE("a peer that does not read: writable() turns false, then the session closes") {
    auto sc = smsc_config();
    sc.max_output = 1000;
    BoundPair p(BindType::transceiver, esme_config(), sc);
    auto flood = repeated(EnquireLink{}, 1, 1000);
    p.smsc.receive(flood, t0());
    CHECK_FALSE(p.smsc.writable());
    for (int i = 0; i < 20 && !p.smsc.closed(); ++i)
        p.smsc.receive(flood, t0());
    CHECK(p.smsc.closed());
    CHECK(p.smsc.close_reason() == CloseReason::output_overflow);
}

TEST_CASE("outbind: the SMSC asks, the ESME binds on the same connection") {
    SmppSession esme(esme_config(), t0());
    SmppSession smsc(smsc_config(), t0());
    REQUIRE(smsc.outbind(Outbind{"smsc", "pw"}, t0()).ok());
    pass(smsc, esme);
    auto ee = events(esme);
    REQUIRE(ee.size() == 1);
    CHECK(ee[0].kind == EventKind::outbind);
    CHECK(std::get<Outbind>(ee[0].pdu.body).system_id == "smsc");
    REQUIRE(esme.bind(bind_req(BindType::receiver), t0()).ok());
    pump(esme, smsc, t0());
    CHECK(esme.state() == SessionState::bound_rx);
    CHECK(smsc.state() == SessionState::bound_rx);
    // Not in other states or roles.
    CHECK(smsc.outbind(Outbind{}, t0()).error == SendError::not_bound);
    CHECK(esme.outbind(Outbind{}, t0()).error == SendError::not_bound);
    esme.receive(encode(Pdu{status::ok, 40, Outbind{"x", "y"}}).value(), t0());
    CHECK(output_pdus(esme).at(0).command_status == status::invbndsts);
}

// ---- requests are answered before what follows them (issue 7 item 5, issue 12) ----

namespace {

// An owner whose application answers every request at once: takes the events, answers the
// requests with OK (message id = the sequence number), lets the session go on; until quiet.
std::vector<SessionEvent> answer_at_once(SmppSession& s, TimePoint now = t0()) {
    std::vector<SessionEvent> all, batch;
    for (;;) {
        s.take_events(batch);
        for (auto& e : batch) {
            if (e.kind != EventKind::request) continue;
            auto id = std::to_string(e.sequence_number);
            if (std::holds_alternative<DeliverSm>(e.pdu.body))
                s.respond(Pdu{status::ok, e.sequence_number, DeliverSmResp{}});
            else
                s.respond(Pdu{status::ok, e.sequence_number, SubmitSmResp{id}});
        }
        all.insert(all.end(), batch.begin(), batch.end());
        s.process(now);
        if (!s.has_events()) return all;
    }
}

}  // namespace

TEST_CASE("two submit_sm then unbind in one read: submit_sm_resp 51, 52, then unbind_resp 53") {
    BoundPair p;
    p.smsc.receive(concat({Pdu{status::ok, 51, submit("a")}, Pdu{status::ok, 52, submit("b")},
                           Pdu{status::ok, 53, Unbind{}}}),
                   t0());
    auto ev = answer_at_once(p.smsc);
    REQUIRE(ev.size() == 4);
    CHECK(ev[0].kind == EventKind::request);
    CHECK(ev[1].kind == EventKind::request);
    CHECK(ev[2].kind == EventKind::peer_unbound);
    CHECK(ev[3].kind == EventKind::closed);
    auto out = output_pdus(p.smsc);
    REQUIRE(out.size() == 3);
    CHECK(std::holds_alternative<SubmitSmResp>(out[0].body));
    CHECK(out[0].sequence_number == 51);
    CHECK(std::get<SubmitSmResp>(out[0].body).message_id == "51");
    CHECK(std::holds_alternative<SubmitSmResp>(out[1].body));
    CHECK(out[1].sequence_number == 52);
    CHECK(std::holds_alternative<UnbindResp>(out[2].body));
    CHECK(out[2].sequence_number == 53);
    CHECK(out[2].command_status == status::ok);
}

TEST_CASE("requests, an unknown command, then bytes that cannot be framed: all answered in order") {
    BoundPair p;
    auto bytes = concat({Pdu{status::ok, 61, submit("a")}});
    auto unknown = raw_header(16, 0x00000099, 0, 62);
    bytes.insert(bytes.end(), unknown.begin(), unknown.end());
    REQUIRE(encode(Pdu{status::ok, 63, submit("b")}, bytes).ok());
    auto bad = raw_header(8, 0x00000004, 0, 64);  // command_length 8: the stream is lost here
    bytes.insert(bytes.end(), bad.begin(), bad.end());
    p.smsc.receive(bytes, t0());
    auto ev = answer_at_once(p.smsc);
    REQUIRE(ev.size() == 3);
    CHECK(ev[2].kind == EventKind::closed);
    CHECK(ev[2].reason == CloseReason::unframeable);
    auto out = output_pdus(p.smsc);
    REQUIRE(out.size() == 4);
    CHECK(out[0].sequence_number == 61);
    CHECK(std::holds_alternative<SubmitSmResp>(out[0].body));
    CHECK(out[1].sequence_number == 62);
    CHECK(std::holds_alternative<GenericNack>(out[1].body));
    CHECK(out[1].command_status == status::invcmdid);
    CHECK(out[2].sequence_number == 63);
    CHECK(std::holds_alternative<SubmitSmResp>(out[2].body));
    CHECK(std::holds_alternative<GenericNack>(out[3].body));
    CHECK(out[3].command_status == status::invcmdlen);
}

TEST_CASE("unframeable bytes after a request the application holds: closed after the timeout") {
    BoundPair p;
    auto bytes = concat({Pdu{status::ok, 61, submit("a")}});
    auto bad = raw_header(8, 0x00000004, 0, 64);
    bytes.insert(bytes.end(), bad.begin(), bad.end());
    p.smsc.receive(bytes, t0());
    auto ev = events(p.smsc);
    REQUIRE(ev.size() == 1);
    CHECK_FALSE(p.smsc.closed());
    CHECK_FALSE(p.smsc.wants_input());
    // Answered late, within the timeout: the answer goes out, then the nack and the close.
    p.smsc.respond(Pdu{status::ok, 61, SubmitSmResp{"x"}});
    p.smsc.process(t0() + 3s);
    CHECK(p.smsc.closed());
    auto out = output_pdus(p.smsc);
    REQUIRE(out.size() == 2);
    CHECK(out[0].sequence_number == 61);
    CHECK(out[1].command_status == status::invcmdlen);
}

TEST_CASE("client side: deliver_sm then unbind from the SMSC are answered in order") {
    BoundPair p;
    DeliverSm d;
    d.source.address = "375291234567";
    d.short_message = "*141#";
    p.esme.receive(
        concat({Pdu{status::ok, 71, d}, Pdu{status::ok, 72, d}, Pdu{status::ok, 73, Unbind{}}}),
        t0());
    answer_at_once(p.esme);
    CHECK(p.esme.close_reason() == CloseReason::peer_unbound);
    auto out = output_pdus(p.esme);
    REQUIRE(out.size() == 3);
    CHECK(std::holds_alternative<DeliverSmResp>(out[0].body));
    CHECK(out[0].sequence_number == 71);
    CHECK(std::holds_alternative<DeliverSmResp>(out[1].body));
    CHECK(out[1].sequence_number == 72);
    CHECK(std::holds_alternative<UnbindResp>(out[2].body));
    CHECK(out[2].sequence_number == 73);
}

TEST_CASE("a burst of 1000 deliver_sm in one read, answered at once, is never throttled") {
    auto ec = esme_config();
    ec.receive_window = 100;
    BoundPair p(BindType::transceiver, ec);
    DeliverSm d;
    d.source.address = "375291234567";
    d.short_message = "1";
    d.tlvs.ussd_service_op = ussd_op::ussr_confirm;
    auto burst = repeated(d, 1, 1000);
    p.esme.receive(burst, t0());
    // Handed over one at a time: the rest of the read waits, and no more is read meanwhile.
    CHECK(p.esme.has_events());
    CHECK_FALSE(p.esme.wants_input());
    auto ev = answer_at_once(p.esme);
    CHECK(ev.size() == 1000);
    CHECK(p.esme.stats().throttled_in == 0);
    CHECK(p.esme.unanswered() == 0);
    CHECK(p.esme.wants_input());
    auto out = output_pdus(p.esme);
    REQUIRE(out.size() == 1000);
    for (std::uint32_t i = 0; i < 1000; ++i) {
        CHECK(out[i].sequence_number == i + 1);
        CHECK(out[i].command_status == status::ok);
    }
}

TEST_CASE("a peer beyond the window of requests the application really holds gets THROTTLED") {
    auto ec = esme_config();
    ec.receive_window = 100;
    BoundPair p(BindType::transceiver, ec);
    DeliverSm d;
    auto burst = repeated(d, 1, 150);
    p.esme.receive(burst, t0());
    auto held = events(p.esme);  // handed over, never answered
    CHECK(held.size() == 100);
    CHECK(p.esme.unanswered() == 100);
    CHECK(p.esme.stats().throttled_in == 50);
    auto out = output_pdus(p.esme);
    REQUIRE(out.size() == 50);
    for (auto& o : out)
        CHECK(o.command_status == status::throttled);
    // One answer frees one slot; a second answer to the same request is ignored.
    p.esme.respond(Pdu{status::ok, held[0].sequence_number, DeliverSmResp{}});
    p.esme.respond(Pdu{status::ok, held[0].sequence_number, DeliverSmResp{}});
    CHECK(output_pdus(p.esme).size() == 1);
    CHECK(p.esme.unanswered() == 99);
}

}  // namespace smpp_session_test
