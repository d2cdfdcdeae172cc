// Randomised soak of SmppSession (SMSC role, then ESME role): valid PDU streams with random
// byte mutations, split at random points, with random time steps. Whatever arrives, every
// byte the session writes is a well-formed PDU, its buffers stay bounded, and it either
// stays usable or closes. Deterministic (fixed seeds); runs under ASan/UBSan too.
#include <doctest/doctest.h>

#include <random>

#include "smpp/PduCodec.hpp"
#include "smpp/SmppSession.hpp"

namespace smpp_session_soak_test {

using namespace ussdgw::smpp;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint8_t> valid_stream(std::mt19937& rng, bool for_smsc) {
    std::vector<std::uint8_t> out;
    std::uint32_t seq = 1;
    if (for_smsc) {
        BindRequest b;
        b.system_id = "gw";
        b.password = "pw";
        REQUIRE(encode(Pdu{status::ok, seq++, b}, out).ok());
    }
    int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
        switch (rng() % 6) {
            case 0: {
                SubmitSm s;
                s.source.address = "141";
                s.destination.address = "375291234567";
                s.short_message = std::string(rng() % 160, 'x');
                s.tlvs.ussd_service_op = static_cast<std::uint8_t>(rng());
                REQUIRE(encode(Pdu{status::ok, seq++, s}, out).ok());
                break;
            }
            case 1: {
                DeliverSm d;
                d.short_message = "*141#";
                d.tlvs.its_session_info = std::array<std::uint8_t, 2>{1, 2};
                REQUIRE(encode(Pdu{status::ok, seq++, d}, out).ok());
                break;
            }
            case 2: {
                DataSm d;
                d.tlvs.message_payload = std::string(rng() % 300, 'y');
                REQUIRE(encode(Pdu{status::ok, seq++, d}, out).ok());
                break;
            }
            case 3:
                REQUIRE(encode(Pdu{status::ok, seq++, EnquireLink{}}, out).ok());
                break;
            case 4:
                REQUIRE(encode(Pdu{status::ok, static_cast<std::uint32_t>(rng() % 50),
                                   SubmitSmResp{"abc"}},
                               out)
                            .ok());
                break;
            default:
                REQUIRE(encode(Pdu{rng() % 3 == 0 ? status::throttled : status::ok,
                                   static_cast<std::uint32_t>(rng() % 50), GenericNack{}},
                               out)
                            .ok());
                break;
        }
    }
    if (rng() % 10 == 0) REQUIRE(encode(Pdu{status::ok, seq++, Unbind{}}, out).ok());
    return out;
}

void check_output_frames(SmppSession& s) {
    std::vector<std::uint8_t> buf;
    s.take_output(buf);
    std::size_t off = 0;
    while (off < buf.size()) {
        auto rest = std::span<const std::uint8_t>(buf).subspan(off);
        auto fl = frame_length(rest);
        REQUIRE(fl.kind == FrameLength::Kind::frame);
        REQUIRE(decode(rest.first(fl.length)).ok());
        off += fl.length;
    }
}

void soak(Role role, std::uint32_t seed) {
    std::mt19937 rng(seed);
    auto now = TimePoint{} + 1000h;
    std::vector<SessionEvent> ev;
    for (int round = 0; round < 300; ++round) {
        SessionConfig c;
        c.role = role;
        c.receive_window = 5;
        c.window = 5;
        c.authenticate = [](const BindRequest& r, TimePoint) {
            return BindVerdict{r.password == "pw" ? status::ok : status::invpaswd, 0};
        };
        SmppSession s(c, now);
        if (role == Role::esme) {
            BindRequest b;
            b.system_id = "gw";
            REQUIRE(s.bind(b, now).ok());
            check_output_frames(s);
            // The SMSC's answer (sequence 1) comes first.
            s.receive(
                encode(Pdu{status::ok, 1, BindResponse{BindType::transceiver, "x", {}}}).value(),
                now);
        }
        auto stream = valid_stream(rng, role == Role::smsc);
        // Mutate a few bytes (lengths, ids, TLV headers included).
        int mutations = static_cast<int>(rng() % 6);
        for (int m = 0; m < mutations && !stream.empty(); ++m)
            stream[rng() % stream.size()] = static_cast<std::uint8_t>(rng());
        std::size_t off = 0;
        for (int step = 0; step < 10'000 && off < stream.size() && !s.closed(); ++step) {
            // Like an owner: read only while the session wants input.
            if (s.wants_input()) {
                std::size_t n = std::min<std::size_t>(stream.size() - off, 1 + rng() % 200);
                s.receive(std::span<const std::uint8_t>(stream.data() + off, n), now);
                off += n;
            }
            now += std::chrono::milliseconds(rng() % 3000);
            s.on_time(now);
            // The application answers about half of the requests, the rest never.
            for (int k = 0; k < 1000; ++k) {
                s.take_events(ev);
                for (auto& e : ev)
                    if (e.kind == EventKind::request && rng() % 2 == 0)
                        s.respond(Pdu{status::ok, e.sequence_number, SubmitSmResp{"m"}});
                s.process(now);
                if (!s.has_events()) break;
            }
            CHECK(s.unanswered() <= c.receive_window);
            if (s.bound() && rng() % 4 == 0) {
                SubmitSm sm;
                if (role == Role::esme)
                    (void)s.send_request(sm, now);
                else
                    (void)s.send_request(DeliverSm{}, now);
            }
            CHECK(s.outstanding() <= 5);
            check_output_frames(s);
        }
        if (!s.closed()) {
            s.unbind(now);
            check_output_frames(s);
            s.on_time(now + 1h);
            CHECK(s.closed());
        }
        CHECK_FALSE(s.next_deadline().has_value());
    }
}

}  // namespace

TEST_CASE("soak: an SMSC session fed mutated streams stays well-formed and bounded") {
    for (std::uint32_t seed : {1u, 2u, 3u})
        soak(Role::smsc, seed);
}

TEST_CASE("soak: an ESME session fed mutated streams stays well-formed and bounded") {
    for (std::uint32_t seed : {11u, 12u, 13u})
        soak(Role::esme, seed);
}

}  // namespace smpp_session_soak_test
