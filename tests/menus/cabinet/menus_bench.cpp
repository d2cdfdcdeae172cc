// Benchmarks (skipped by default; they print numbers, they assert nothing about speed):
//   build/test_menus -tc='bench*' --no-skip
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>

#include "../MenuTestSupport.hpp"

namespace menus_bench_test {

using namespace ussdgw::menus;
using namespace ussdgw::menus::test;

TEST_CASE("bench: cabinet load and dialogues per second" * doctest::skip()) {
    using clock = std::chrono::steady_clock;
    const int loads = 200;
    auto t0 = clock::now();
    for (int i = 0; i < loads; ++i) {
        auto r = load_menu_directory(USSDGW_SOURCE_DIR "/menus/cabinet");
        REQUIRE(r.ok());
    }
    double load_ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count() / loads;

    FakeDomain d;
    d.add("375291234567");
    const int n = 100'000;
    t0 = clock::now();
    std::size_t bytes = 0;
    for (int i = 0; i < n; ++i) {
        Session s(d);
        s.begin("375291234567", "*141*3*6#");  // state lookup: open
        s.answer("1");                         // close?
        s.answer("2");                         // no
        bytes += s.text().size();
    }
    double secs = std::chrono::duration<double>(clock::now() - t0).count();
    std::printf(
        "menus bench: cabinet load %.2f ms; %d dialogues (begin, action, 2 answers) in "
        "%.2f s = %.0f dialogues/s (%zu bytes)\n",
        load_ms, n, secs, n / secs, bytes);
}

}  // namespace menus_bench_test
