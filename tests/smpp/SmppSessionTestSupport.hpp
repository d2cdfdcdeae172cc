// Helpers for the SmppSession tests (SmppSession_test, SmppSessionCommands_test): an ESME
// and an SMSC session wired to each other without sockets, time injected.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "SamplePdus.hpp"
#include "smpp/PduCodec.hpp"
#include "smpp/SmppSession.hpp"

namespace ussdgw::smpp::test {

inline TimePoint t0() {
    return TimePoint{} + std::chrono::hours(1000);
}

inline SessionConfig esme_config() {
    SessionConfig c;
    c.role = Role::esme;
    c.window = 10;
    return c;
}

inline SessionConfig smsc_config() {
    SessionConfig c;
    c.role = Role::smsc;
    c.window = 10;
    c.receive_window = 10;
    c.system_id = "smsc";
    c.authenticate = [](const BindRequest& r, TimePoint) {
        BindVerdict v;
        if (r.system_id != "gw")
            v.status = status::invsysid;
        else if (r.password != "pw")
            v.status = status::invpaswd;
        return v;
    };
    return c;
}

inline BindRequest bind_req(BindType t = BindType::transceiver, std::uint8_t version = 0x34) {
    BindRequest b;
    b.type = t;
    b.system_id = "gw";
    b.password = "pw";
    b.interface_version = version;
    return b;
}

inline SubmitSm submit(std::string text = "hello") {
    return test_submit(std::move(text));
}

// Takes every event the session has, as an owner would: take them, then let the session go
// on with the frames it holds back (one request at a time), until it has nothing more.
inline std::vector<SessionEvent> events(SmppSession& s, TimePoint now = t0()) {
    std::vector<SessionEvent> out, batch;
    for (;;) {
        s.take_events(batch);
        out.insert(out.end(), batch.begin(), batch.end());
        s.process(now);
        if (!s.has_events()) return out;
    }
}

// Moves bytes both ways until both are quiet.
inline void pump(SmppSession& a, SmppSession& b, TimePoint now) {
    std::vector<std::uint8_t> buf;
    for (int i = 0; i < 100 && (a.has_output() || b.has_output()); ++i) {
        a.take_output(buf);
        b.receive(buf, now);
        b.take_output(buf);
        a.receive(buf, now);
    }
}

// Hands what `from` has written to `to`, once (`pump` goes both ways until both are quiet).
inline void pass(SmppSession& from, SmppSession& to, TimePoint now = t0()) {
    std::vector<std::uint8_t> buf;
    from.take_output(buf);
    to.receive(buf, now);
}

// The frames of `pdus`, back to back.
inline std::vector<std::uint8_t> concat(const std::vector<Pdu>& pdus) {
    std::vector<std::uint8_t> out;
    for (const auto& p : pdus)
        REQUIRE(encode(p, out).ok());
    return out;
}

// `body` framed once for each sequence number from `first` to `last`, back to back.
inline std::vector<std::uint8_t> repeated(const PduBody& body, std::uint32_t first,
                                          std::uint32_t last) {
    std::vector<std::uint8_t> out;
    for (std::uint32_t seq = first; seq <= last; ++seq)
        REQUIRE(encode(Pdu{status::ok, seq, body}, out).ok());
    return out;
}

// Decodes every frame in `bytes`.
inline std::vector<Pdu> frames(const std::vector<std::uint8_t>& bytes) {
    std::vector<Pdu> out;
    std::size_t off = 0;
    while (off < bytes.size()) {
        auto rest = std::span<const std::uint8_t>(bytes).subspan(off);
        auto fl = frame_length(rest);
        REQUIRE(fl.kind == FrameLength::Kind::frame);
        auto p = decode(rest.first(fl.length));
        REQUIRE(p.ok());
        out.push_back(p.value());
        off += fl.length;
    }
    return out;
}

inline std::vector<Pdu> output_pdus(SmppSession& s) {
    std::vector<std::uint8_t> buf;
    s.take_output(buf);
    return frames(buf);
}

struct BoundPair {
    SmppSession esme{esme_config(), t0()};
    SmppSession smsc{smsc_config(), t0()};
    explicit BoundPair(BindType t = BindType::transceiver, SessionConfig e = esme_config(),
                       SessionConfig s = smsc_config())
        : esme(std::move(e), t0()), smsc(std::move(s), t0()) {
        REQUIRE(esme.bind(bind_req(t), t0()).ok());
        pump(esme, smsc, t0());
        events(esme);
        events(smsc);
    }
};

}  // namespace ussdgw::smpp::test
