// engine/base/Log: logfmt quoting, and the rate limiter that keeps floods out of the log
// (time injected; the lines are captured in a temporary file).
#include "engine/base/Log.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/base/Secret.hpp"

namespace log_test {

using namespace ussdgw;
using namespace ussdgw::log;
using namespace std::chrono_literals;

namespace {

using TP = RateLimiter::Clock::time_point;
TP t0() {
    return TP{} + 1000h;
}

// Captures what the logger writes while it lives.
class Capture {
  public:
    Capture() : f_(std::tmpfile()) { set_output(f_); }
    ~Capture() {
        set_output(nullptr);
        std::fclose(f_);
    }
    std::vector<std::string> lines() {
        std::fflush(f_);
        std::rewind(f_);
        std::vector<std::string> out;
        std::string line;
        for (int c; (c = std::fgetc(f_)) != EOF;) {
            if (c == '\n') {
                out.push_back(line);
                line.clear();
            } else {
                line.push_back(static_cast<char>(c));
            }
        }
        return out;
    }

  private:
    std::FILE* f_;
};

bool has(const std::string& line, const std::string& part) {
    return line.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("log: a line is logfmt; values with spaces, quotes or newlines are quoted; secrets not") {
    Capture cap;
    info("test.event", "plain", "abc", "spaced", "a b", "quoted", "say \"hi\"", "multi", "l1\nl2",
         "empty", "", "password", Secret("hunter2"), "number", 42);
    auto lines = cap.lines();
    REQUIRE(lines.size() == 1);
    const auto& l = lines[0];
    CHECK(l.rfind("ts=", 0) == 0);
    CHECK(has(l, " level=info event=test.event plain=abc spaced=\"a b\""));
    CHECK(has(l, " quoted=\"say \\\"hi\\\"\""));
    CHECK(has(l, " multi=\"l1\\nl2\""));
    CHECK(has(l, " empty=\"\""));
    CHECK(has(l, " password=***"));
    CHECK_FALSE(has(l, "hunter2"));
    CHECK(has(l, " number=42"));
}

TEST_CASE("rate limiter: the first `burst` lines per interval pass, the rest are counted") {
    RateLimiter r(3, 10s);
    int written = 0;
    for (int i = 0; i < 10; ++i) {
        auto a = r.admit("smpp.bind_refused", Level::warn, t0() + std::chrono::milliseconds(i));
        CHECK(a.suppressed == 0);
        written += a.write ? 1 : 0;
    }
    CHECK(written == 3);
    // Another event has its own budget.
    CHECK(r.admit("smpp.connection_evicted", Level::warn, t0()).write);
    // Within the interval nothing is reported yet.
    CHECK(r.take_expired(t0() + 9s).empty());
    // The next interval: the line passes and carries the count of the previous one.
    auto a = r.admit("smpp.bind_refused", Level::warn, t0() + 10s);
    CHECK(a.write);
    CHECK(a.suppressed == 7);
    CHECK_FALSE(r.admit("smpp.bind_refused", Level::warn, t0() + 11s).suppressed);
}

TEST_CASE("rate limiter: a flood that stops is summed up once its interval is over") {
    RateLimiter r(2, 10s);
    for (int i = 0; i < 50; ++i)
        r.admit("smpp.closed", Level::info, t0());
    r.admit("quiet", Level::info, t0());
    auto e = r.take_expired(t0() + 10s);
    REQUIRE(e.size() == 1);
    CHECK(e[0].event == "smpp.closed");
    CHECK(e[0].level == Level::info);
    CHECK(e[0].count == 48);
    CHECK(r.take_expired(t0() + 20s).empty());  // reported once
    // The event starts afresh afterwards.
    CHECK(r.admit("smpp.closed", Level::info, t0() + 21s).write);
}

TEST_CASE("limited log: a flood of 1000 lines writes `burst` lines and one summary") {
    Capture cap;
    LimitedLog limited(5, 60s);
    for (int i = 0; i < 1000; ++i)
        limited.event(Level::warn, t0() + std::chrono::milliseconds(i), "smpp.bind_refused", "peer",
                      "127.0.0.1", "n", i);
    limited.event(Level::warn, t0() + 61s, "smpp.bind_refused", "peer", "127.0.0.1", "n", 1000);
    limited.flush(RateLimiter::Clock::time_point::max());  // nothing left to report
    auto lines = cap.lines();
    REQUIRE(lines.size() == 7);
    for (int i = 0; i < 5; ++i)
        CHECK(has(lines[static_cast<std::size_t>(i)], " n=" + std::to_string(i)));
    CHECK(has(lines[5], "level=warn event=smpp.bind_refused suppressed=995"));
    CHECK(has(lines[6], " n=1000"));
}

TEST_CASE("limited log: flush reports what is pending; lines below the level are not counted") {
    Capture cap;
    LimitedLog limited(1, 60s);
    for (int i = 0; i < 4; ++i)
        limited.event(Level::warn, t0(), "smpp.connection_evicted", "peer", "127.0.0.1");
    for (int i = 0; i < 4; ++i)
        limited.event(Level::debug, t0(), "smpp.accepted", "peer", "127.0.0.1");
    limited.flush(t0() + 1s);  // interval not over: nothing yet
    CHECK(cap.lines().size() == 1);
    limited.flush(RateLimiter::Clock::time_point::max());
    auto lines = cap.lines();
    REQUIRE(lines.size() == 2);
    CHECK(has(lines[1], "event=smpp.connection_evicted suppressed=3"));
}

}  // namespace log_test
