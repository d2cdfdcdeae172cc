#include "engine/base/Metrics.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace metrics_test {

using namespace ussdgw::metrics;

TEST_CASE("metrics: counters and gauges render with HELP, TYPE and escaped labels") {
    Registry r("ussdgw_");
    r.counter("requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}}).inc(3);
    r.counter("requests_total", "Requests.", {{"route", "/b"}, {"status", "404"}}).inc();
    r.gauge("temperature", "Help with \\ and\nnewline.", {{"where", "say \"hi\"\\\n"}}).set(-1.5);
    CHECK(r.render() ==
          "# HELP ussdgw_requests_total Requests.\n"
          "# TYPE ussdgw_requests_total counter\n"
          "ussdgw_requests_total{route=\"/a\",status=\"200\"} 3\n"
          "ussdgw_requests_total{route=\"/b\",status=\"404\"} 1\n"
          "# HELP ussdgw_temperature Help with \\\\ and\\nnewline.\n"
          "# TYPE ussdgw_temperature gauge\n"
          "ussdgw_temperature{where=\"say \\\"hi\\\"\\\\\\n\"} -1.5\n");
}

TEST_CASE("metrics: the same name and labels give the same metric; a type clash is refused") {
    Registry r;
    Counter& a = r.counter("x_total", "X.", {{"k", "v"}});
    Counter& b = r.counter("x_total", "X.", {{"k", "v"}});
    CHECK(&a == &b);
    CHECK(&a != &r.counter("x_total", "X.", {{"k", "w"}}));
    CHECK_THROWS_AS(r.gauge("x_total", "X."), std::logic_error);
    CHECK_THROWS_AS(r.counter("bad-name", "X."), std::logic_error);
    CHECK_THROWS_AS(r.counter("ok_total", "X.", {{"le", "1"}}), std::logic_error);
    CHECK_THROWS_AS(r.counter("ok_total", "X.", {{"__reserved", "1"}}), std::logic_error);
}

TEST_CASE("metrics: histogram buckets are cumulative, upper bounds inclusive, +Inf is the count") {
    Histogram h({1, 0.1, 0.5});  // sorted on construction
    for (double v : {0.05, 0.1, 0.3, 0.5, 2.0, 7.0})
        h.observe(v);
    auto s = h.snapshot();
    REQUIRE(s.bounds == std::vector<double>{0.1, 0.5, 1});
    CHECK(s.cumulative == std::vector<std::uint64_t>{2, 4, 4, 6});
    CHECK(s.count() == 6);
    CHECK(s.sum == doctest::Approx(9.95));

    Exposition out("p_");
    out.histogram("step_seconds", "Steps.", {{"ingress", "smpp"}}, s);
    CHECK(out.text() ==
          "# HELP p_step_seconds Steps.\n"
          "# TYPE p_step_seconds histogram\n"
          "p_step_seconds_bucket{ingress=\"smpp\",le=\"0.1\"} 2\n"
          "p_step_seconds_bucket{ingress=\"smpp\",le=\"0.5\"} 4\n"
          "p_step_seconds_bucket{ingress=\"smpp\",le=\"1\"} 4\n"
          "p_step_seconds_bucket{ingress=\"smpp\",le=\"+Inf\"} 6\n"
          "p_step_seconds_sum{ingress=\"smpp\"} 9.95\n"
          "p_step_seconds_count{ingress=\"smpp\"} 6\n");
}

TEST_CASE("metrics: collectors add samples grouped with the registry's own families") {
    Registry r("ussdgw_");
    r.counter("pdus_total", "PDUs.", {{"link", "a"}}).inc(2);
    r.gauge("up", "Up.").set(1);
    r.add_collector([](Exposition& out) {
        out.counter("pdus_total", "PDUs.", {{"link", "b"}}, 5);
        out.gauge("depth", "Depth.", {}, 0.25);
    });
    std::string text = r.render();
    CHECK(text ==
          "# HELP ussdgw_pdus_total PDUs.\n"
          "# TYPE ussdgw_pdus_total counter\n"
          "ussdgw_pdus_total{link=\"a\"} 2\n"
          "ussdgw_pdus_total{link=\"b\"} 5\n"
          "# HELP ussdgw_up Up.\n"
          "# TYPE ussdgw_up gauge\n"
          "ussdgw_up 1\n"
          "# HELP ussdgw_depth Depth.\n"
          "# TYPE ussdgw_depth gauge\n"
          "ussdgw_depth 0.25\n");
}

TEST_CASE("metrics: an exposition drops samples with a bad name or a clashing type") {
    Exposition out;
    out.counter("9starts_with_digit", "x", {}, 1);
    out.counter("fine_total", "x", {{"bad label", "v"}}, 1);
    out.gauge("fine", "x", {}, 1);
    out.counter("fine", "x", {}, 1);  // was a gauge
    CHECK(out.dropped() == 3);
    CHECK(out.text() == "# HELP fine x\n# TYPE fine gauge\nfine 1\n");
}

TEST_CASE("metrics: special values and large integers") {
    Exposition out;
    out.gauge("a", "a", {{"k", "1"}}, std::numeric_limits<double>::infinity());
    out.gauge("a", "a", {{"k", "2"}}, -std::numeric_limits<double>::infinity());
    out.gauge("a", "a", {{"k", "3"}}, std::nan(""));
    out.gauge("a", "a", {{"k", "4"}}, 123456789012.0);
    out.gauge("a", "a", {{"k", "5"}}, 1e20);
    auto text = out.text();
    CHECK(text.find("a{k=\"1\"} +Inf\n") != std::string::npos);
    CHECK(text.find("a{k=\"2\"} -Inf\n") != std::string::npos);
    CHECK(text.find("a{k=\"3\"} NaN\n") != std::string::npos);
    CHECK(text.find("a{k=\"4\"} 123456789012\n") != std::string::npos);
    CHECK(text.find("a{k=\"5\"} 1e+20\n") != std::string::npos);
}

TEST_CASE("metrics: updates from several threads are all counted") {
    Registry r;
    Counter& c = r.counter("n_total", "N.");
    Gauge& g = r.gauge("g", "G.");
    Histogram& h = r.histogram("h_seconds", "H.", latency_buckets());
    constexpr int kThreads = 4, kEach = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < kEach; ++i) {
                c.inc();
                g.add(1);
                h.observe(0.001 * (i % 7));
                if (i % 5000 == 0) (void)r.render();  // a scrape meanwhile
            }
        });
    for (auto& t : threads)
        t.join();
    CHECK(c.value() == kThreads * kEach);
    CHECK(g.value() == kThreads * kEach);
    auto s = h.snapshot();
    CHECK(s.count() == kThreads * kEach);
    CHECK(s.cumulative.front() == kThreads * (kEach / 7 + 1));  // the zeros (le 0.0005)
}

}  // namespace metrics_test
