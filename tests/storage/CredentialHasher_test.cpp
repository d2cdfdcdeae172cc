// The hash pool: Argon2id off the caller's thread, at most `workers` at once, a bounded
// queue that refuses at once ("storage.busy"), and a shutdown that finishes queued work.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "StorageTestSupport.hpp"

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

namespace {
// Tasks that block until opened, counting how many run at once.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    int running = 0, max_running = 0, finished = 0;
    bool open = false;
    std::function<void()> task() {
        return [this] {
            std::unique_lock lk(mu);
            ++running;
            max_running = std::max(max_running, running);
            cv.notify_all();
            cv.wait(lk, [this] { return open; });
            --running;
            ++finished;
            cv.notify_all();
        };
    }
    bool wait_running(int n) {
        std::unique_lock lk(mu);
        return cv.wait_for(lk, std::chrono::seconds(10), [&] { return running == n; });
    }
    void release() {
        std::lock_guard lk(mu);
        open = true;
        cv.notify_all();
    }
    bool wait_finished(int n) {
        std::unique_lock lk(mu);
        return cv.wait_for(lk, std::chrono::seconds(10), [&] { return finished == n; });
    }
};
}  // namespace

TEST_CASE("password hashing runs on the worker pool with a bounded queue") {
    CredentialHasher hasher(1, 1, Argon2Params{1, 8192});
    auto caller = std::this_thread::get_id();
    auto r = wait_for<std::string>([&](auto done) {
        hasher.hash(Secret("pw"), nullptr, [&, done](Result<std::string> h) {
            CHECK(std::this_thread::get_id() != caller);
            done(std::move(h));
        });
    });
    REQUIRE(r.ok());
    CHECK(verify_password(*r, Secret("pw")));
    CHECK_FALSE(verify_password(*r, Secret("px")));
    // a full queue refuses at once
    std::promise<void> release, started;
    auto gate = release.get_future().share();
    REQUIRE(hasher.submit([gate, &started] {
        started.set_value();
        gate.wait();
    }));  // occupies the worker...
    started.get_future().wait();
    bool second = hasher.submit([] {});  // ...this one waits (limit 1)
    auto busy = wait_for<std::string>([&](auto done) { hasher.hash(Secret("x"), nullptr, done); });
    release.set_value();
    CHECK(second);
    CHECK(busy.error().code == "storage.busy");
}

TEST_CASE("at most `workers` hashes run at once; the rest wait their turn") {
    CredentialHasher hasher(2, 100, Argon2Params{1, 8192});
    Gate g;
    for (int i = 0; i < 6; ++i)
        REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(2));
    g.release();
    REQUIRE(g.wait_finished(6));
    CHECK(g.max_running == 2);
}

TEST_CASE("the queue limit refuses at once, verify included") {
    CredentialHasher hasher(1, 2, Argon2Params{1, 8192});
    Gate g;
    REQUIRE(hasher.submit(g.task()));  // running
    REQUIRE(g.wait_running(1));
    CHECK(hasher.submit(g.task()));  // waiting 1
    CHECK(hasher.submit(g.task()));  // waiting 2
    CHECK_FALSE(hasher.submit(g.task()));
    auto check = wait_for<bool>(
        [&](auto done) { hasher.verify("$argon2id$x", Secret("pw"), nullptr, done); });
    CHECK(check.error().code == "storage.busy");
    g.release();
    REQUIRE(g.wait_finished(3));
}

TEST_CASE("shutdown finishes queued work, then refuses new work") {
    auto hasher = std::make_unique<CredentialHasher>(1, 10, Argon2Params{1, 8192});
    Gate g;
    REQUIRE(hasher->submit(g.task()));
    REQUIRE(g.wait_running(1));
    std::atomic<int> queued_ran{0};
    for (int i = 0; i < 3; ++i)
        REQUIRE(hasher->submit([&queued_ran] { ++queued_ran; }));
    std::thread stopper([&] { hasher->shutdown(); });
    g.release();
    stopper.join();  // returns once the queue is drained and the workers joined
    CHECK(queued_ran == 3);
    CHECK_FALSE(hasher->submit([] {}));
    auto late = wait_for<std::string>([&](auto done) { hasher->hash(Secret("x"), nullptr, done); });
    CHECK(late.error().code == "storage.busy");
}
