#include "engine/base/Lifetime.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace lifetime_test {

using ussdgw::Lifetime;

namespace {

// A single-owner service as the engine has them: a timer whose handler uses `this`, and the
// Lifetime as its last member.
struct Service {
    explicit Service(boost::asio::io_context& io, int& fired) : timer(io), fired(fired) {}
    void arm() {
        timer.expires_after(std::chrono::hours(1));
        timer.async_wait(lifetime.guard([this](boost::system::error_code) { ++fired; }));
    }
    boost::asio::steady_timer timer;
    int& fired;
    Lifetime lifetime;
};

}  // namespace

TEST_CASE("lifetime: a guarded callback runs while its owner lives, with its arguments") {
    Lifetime life;
    std::string seen;
    auto cb = life.guard([&seen](const std::string& a, std::string& out) {
        seen = a;
        out = "written";
    });
    std::string out;
    cb(std::string("hello"), out);
    CHECK(seen == "hello");
    CHECK(out == "written");

    // Mutable callbacks with move-only state are guarded too (asio handlers are moved).
    auto owned = std::make_unique<int>(7);
    int got = 0;
    auto mut = life.guard([p = std::move(owned), &got]() mutable { got = *p + 1; });
    mut();
    CHECK(got == 8);
}

TEST_CASE("lifetime: once the owner is gone a guarded callback does nothing") {
    int calls = 0;
    std::function<void(int)> cb;
    {
        Lifetime life;
        cb = life.guard([&calls](int n) { calls += n; });
        cb(2);
        CHECK(calls == 2);
    }
    auto copy = cb;
    cb(5);
    copy(5);
    CHECK(calls == 2);
}

TEST_CASE("lifetime: a timer handler of a destroyed service is cancelled and does not run") {
    boost::asio::io_context io;
    int fired = 0;
    auto service = std::make_unique<Service>(io, fired);
    service->arm();
    service.reset();  // the timer's wait completes with operation_aborted after this
    CHECK(io.run_for(std::chrono::seconds(5)) >= 1);
    CHECK(fired == 0);
}

TEST_CASE("lifetime: completions posted from another thread are checked on the loop") {
    boost::asio::io_context io;
    auto life = std::make_unique<Lifetime>();
    auto watch = life->watch();  // taken on the owner's thread, carried to the worker
    std::atomic<int> ran{0};
    auto post_from_worker = [&](int n) {
        std::thread worker([&, watch, n] {
            for (int i = 0; i < n; ++i)
                boost::asio::post(io, watch.guard([&ran] { ++ran; }));
        });
        worker.join();
    };

    post_from_worker(3);
    io.run_for(std::chrono::seconds(5));
    CHECK(ran == 3);

    io.restart();
    post_from_worker(4);
    life.reset();  // the owner ends before the loop runs the posted completions
    io.run_for(std::chrono::seconds(5));
    CHECK(ran == 3);
}

TEST_CASE("lifetime: guards made and dropped on a worker while the owner ends do not race") {
    auto life = std::make_unique<Lifetime>();
    auto watch = life->watch();
    std::atomic<bool> go{false};
    std::atomic<int> ran{0};
    std::vector<std::function<void()>> kept;
    std::thread worker([&] {
        while (!go)
            std::this_thread::yield();
        for (int i = 0; i < 10000; ++i) {
            auto g = watch.guard([&ran] { ++ran; });
            if (i % 100 == 0) kept.push_back(g);
        }
    });
    go = true;
    life.reset();  // concurrently with the worker copying the token
    worker.join();
    for (auto& g : kept)
        g();
    CHECK(kept.size() == 100);
    CHECK(ran == 0);
}

}  // namespace lifetime_test
