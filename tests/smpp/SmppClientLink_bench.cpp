// Throughput of SmppClientLink against SmppServer in one process (each on its own thread),
// window 100. Skipped by default; run it with
//   build/test_smpp --no-skip -tc='bench: client link*'
// It prints numbers and asserts only correctness (no timed assertions).
#include <doctest/doctest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <future>

#include "SmppNetTestSupport.hpp"
#include "engine/base/Log.hpp"
#include "smpp/SmppClientLink.hpp"

namespace smpp_client_link_bench_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using namespace ussdgw::smpp::test;

TEST_CASE("bench: client link submit_sm throughput against SmppServer" * doctest::skip()) {
    log::set_level(log::Level::warn);
    ServerThread server;
    asio::io_context io;
    ClientLinkConfig c;
    c.name = "bench";
    c.port = server.port();
    c.system_id = "esme";
    c.password = Secret("secret");
    c.window = 100;
    c.timers.enquire_link_interval = std::chrono::milliseconds(0);
    SmppApplication app;
    auto link = SmppClientLink::create(io, c, app);
    link->start();
    while (!link->bound())
        io.run_one_for(std::chrono::milliseconds(100));

    constexpr std::uint64_t kTotal = 500'000;
    std::uint64_t sent = 0, ok = 0, failed = 0;
    SubmitSm sm = test_submit("Bench message 0123456789");
    std::function<void()> send_one;
    auto on_done = [&](RequestOutcome& o) {
        (o.ok() ? ok : failed)++;
        if (sent < kTotal) send_one();
    };
    send_one = [&] {
        ++sent;
        link->submit(sm, on_done);
    };
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i)
        send_one();
    while (ok + failed < kTotal)
        io.run_one_for(std::chrono::seconds(5));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("client link -> SmppServer, window 100: %.0f submit_sm/s (%llu in %.2f s)\n",
                static_cast<double>(ok) / s, static_cast<unsigned long long>(ok), s);
    CHECK(ok == kTotal);
    CHECK(failed == 0);
    bool stopped = false;
    link->stop([&] { stopped = true; });
    while (!stopped)
        io.run_one_for(std::chrono::seconds(1));
    log::set_level(log::Level::info);
}

}  // namespace smpp_client_link_bench_test
