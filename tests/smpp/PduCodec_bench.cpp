// Throughput of the codec on typical USSD PDUs. Skipped by default; run it with
//   build/test_smpp --no-skip -tc='bench*'
// It prints numbers and asserts only correctness (no timed assertions).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "SamplePdus.hpp"
#include "smpp/PduCodec.hpp"

namespace pdu_codec_bench_test {

using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;

namespace {

template <typename F>
void measure(const char* what, int n, F&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
        f(i);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-44s %9.0f /s  (%.2f us each, %d runs)\n", what, n / s, s * 1e6 / n, n);
}

}  // namespace

TEST_CASE("bench: codec throughput on USSD PDUs" * doctest::skip()) {
    Pdu dp = pdu(ussd_deliver_sm(), 1);
    SubmitSm s = ussd_submit_sm(std::string(120, '\x04'));  // a 60-character UCS2 screen
    s.tlvs.ussd_service_op = ussd_op::ussr_request;
    s.tlvs.its_session_info = std::array<std::uint8_t, 2>{0x2A, 0x02};
    Pdu sp = pdu(s, 2);

    const auto dframe = encode(dp).value();
    const auto sframe = encode(sp).value();
    const int n = 200'000;
    std::size_t sink = 0;
    measure("decode deliver_sm (USSD, 2 TLVs)", n, [&](int) {
        auto r = decode(dframe);
        sink += r.ok() ? 1 : 0;
    });
    measure("decode submit_sm (USSD UCS2, 2 TLVs)", n, [&](int) {
        auto r = decode(sframe);
        sink += r.ok() ? 1 : 0;
    });
    std::vector<std::uint8_t> out;
    out.reserve(512);
    measure("encode submit_sm (USSD UCS2, 2 TLVs)", n, [&](int) {
        out.clear();
        sink += encode(sp, out).ok() ? out.size() : 0;
    });
    measure("encode deliver_sm (USSD, 2 TLVs)", n, [&](int) {
        out.clear();
        sink += encode(dp, out).ok() ? out.size() : 0;
    });
    measure("decode submit_sm + encode submit_sm_resp", n, [&](int i) {
        auto r = decode(sframe);
        Pdu resp{status::ok, r->sequence_number, SubmitSmResp{"m" + std::to_string(i)}};
        out.clear();
        sink += encode(resp, out).ok() ? out.size() : 0;
    });
    // Two threads at once: libsmpp34 calls share one mutex, so this shows the contention.
    std::size_t sinks[2] = {0, 0};
    const auto t0 = std::chrono::steady_clock::now();
    {
        std::jthread a([&] {
            std::vector<std::uint8_t> o;
            for (int i = 0; i < n; ++i) {
                auto r = decode(sframe);
                o.clear();
                sinks[0] += encode(Pdu{status::ok, r->sequence_number, SubmitSmResp{"m1"}}, o).ok();
            }
        });
        std::jthread b([&] {
            std::vector<std::uint8_t> o;
            for (int i = 0; i < n; ++i) {
                auto r = decode(sframe);
                o.clear();
                sinks[1] += encode(Pdu{status::ok, r->sequence_number, SubmitSmResp{"m2"}}, o).ok();
            }
        });
    }
    const double s2 = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-44s %9.0f /s  (2 threads, %d runs each)\n",
                "decode submit_sm + encode resp, 2 threads", 2 * n / s2, n);
    CHECK(sinks[0] + sinks[1] == 2u * static_cast<std::size_t>(n));
    CHECK(sink > 0);
}

}  // namespace pdu_codec_bench_test
