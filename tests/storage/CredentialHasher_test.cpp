// The hash pool: Argon2id off the caller's thread, at most `workers` at once, a queue bounded
// in length and in time that refuses at once ("storage.busy"), and a shutdown that finishes
// queued work. The time bound is tested on a fed clock: tasks advance it as if they ran; only
// measured (hash) work feeds the estimate, and only it is followed by a worker's rest
// (duty_percent; the rest itself is real time).
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "StorageTestSupport.hpp"

namespace credential_hasher_test {

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
    CredentialHasher hasher({1, 1, std::chrono::seconds(60)}, Argon2Params{1, 8192});
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
    bool second = static_cast<bool>(hasher.submit([] {}));  // ...this one waits (limit 1)
    auto busy = wait_for<std::string>([&](auto done) { hasher.hash(Secret("x"), nullptr, done); });
    release.set_value();
    CHECK(second);
    CHECK(busy.error().code == "storage.busy");
}

TEST_CASE("at most `workers` hashes run at once; the rest wait their turn") {
    CredentialHasher hasher({2, 100, std::chrono::seconds(60)}, Argon2Params{1, 8192});
    Gate g;
    for (int i = 0; i < 6; ++i)
        REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(2));
    g.release();
    REQUIRE(g.wait_finished(6));
    CHECK(g.max_running == 2);
}

TEST_CASE("the queue limit refuses at once, verify included") {
    CredentialHasher hasher({1, 2, std::chrono::seconds(60)}, Argon2Params{1, 8192});
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
    auto hasher = std::make_unique<CredentialHasher>(
        HashPoolSettings{1, 10, std::chrono::seconds(60)}, Argon2Params{1, 8192});
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

namespace {
// A clock the test moves by hand (tasks move it as if they took that long).
struct FedClock {
    std::atomic<std::int64_t> ns{1'000'000'000};
    SteadyNow now() {
        return [this] {
            return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns.load()));
        };
    }
    void advance(std::chrono::nanoseconds d) { ns += d.count(); }
};
// Runs one piece of measured work (as a hash is) on `hasher` that takes `took` on `clock`,
// and waits until it has been handed on.
void run_measured(CredentialHasher& hasher, FedClock& clock, std::chrono::nanoseconds took) {
    std::promise<void> ran;
    REQUIRE(hasher.submit_measured([&] { clock.advance(took); }, [&] { ran.set_value(); }));
    ran.get_future().wait();
}
// Runs one plain task on `hasher` that takes `took` on `clock`, and waits for it.
void run_plain(CredentialHasher& hasher, FedClock& clock, std::chrono::nanoseconds took) {
    std::promise<void> ran;
    REQUIRE(hasher.submit([&] {
        clock.advance(took);
        ran.set_value();
    }));
    ran.get_future().wait();
}
using namespace std::chrono_literals;
}  // namespace

TEST_CASE("admission: refused at once when the estimated wait exceeds max_wait") {
    FedClock clock;
    CredentialHasher hasher({1, 100, 250ms}, Argon2Params{1, 8192}, clock.now());
    CHECK_FALSE(hasher.average_run_time());
    CHECK(hasher.estimated_wait() == 0ns);
    run_measured(hasher, clock, 100ms);  // the average starts there
    Gate g;
    REQUIRE(hasher.submit(g.task()));  // occupies the only worker
    REQUIRE(g.wait_running(1));
    REQUIRE(hasher.average_run_time() == std::chrono::nanoseconds(100ms));
    // Ahead of a new request: 0 queued + itself = 1 x 100 ms, then 2 x, then 3 x > 250 ms.
    CHECK(hasher.estimated_wait() == 100ms);
    CHECK(hasher.submit([] {}));
    CHECK(hasher.estimated_wait() == 200ms);
    CHECK(hasher.submit([] {}));
    CHECK(hasher.estimated_wait() == 300ms);
    auto refused = hasher.submit([] { FAIL("a refused task ran"); });
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "storage.busy");
    auto busy = wait_for<std::string>([&](auto done) { hasher.hash(Secret("x"), nullptr, done); });
    CHECK(busy.error().code == "storage.busy");
    CHECK(hasher.refusals().wait_estimate == 2);
    CHECK(hasher.refusals().queue_full == 0);
    CHECK(hasher.queue_depth() == 2);
    g.release();
    REQUIRE(g.wait_finished(1));
}

TEST_CASE("admission: with two workers the wait is shared between them") {
    FedClock clock;
    CredentialHasher hasher({2, 100, 250ms}, Argon2Params{1, 8192}, clock.now());
    run_measured(hasher, clock, 100ms);
    Gate g;
    REQUIRE(hasher.submit(g.task()));
    REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(2));
    // (queued + 1) x 100 ms / 2 workers: 50, 100, 150, 200, 250 ms, then 300 ms: refused.
    for (int queued = 0; queued < 5; ++queued)
        CHECK(hasher.submit([] {}));
    CHECK(hasher.estimated_wait() == 300ms);
    CHECK_FALSE(hasher.submit([] {}));
    g.release();
    REQUIRE(g.wait_finished(2));
}

TEST_CASE("admission: only hash work feeds the estimate, not a long plain task") {
    FedClock clock;
    CredentialHasher hasher({1, 100, 250ms}, Argon2Params{1, 8192}, clock.now());
    run_plain(hasher, clock, 10s);  // a task that is no hash (or was held): not measured
    CHECK_FALSE(hasher.average_run_time());
    run_measured(hasher, clock, 100ms);
    // Nor is what hands a hash's result on (it may wait for a lock or a queue).
    std::promise<void> handed_on;
    REQUIRE(hasher.submit_measured([] {},
                                   [&] {
                                       clock.advance(10s);
                                       handed_on.set_value();
                                   }));
    handed_on.get_future().wait();
    run_plain(hasher, clock, 10s);
    REQUIRE(hasher.average_run_time() == std::chrono::nanoseconds(87500us));
    // Behind a held task, a hash is estimated at one hash time (87.5 ms < 250 ms): taken.
    // Had the 10 s tasks counted, the average would be over a second and it would be refused.
    Gate g;
    REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(1));
    CHECK(hasher.estimated_wait() == 87500us);
    auto pending = std::make_shared<std::promise<Result<std::string>>>();
    hasher.hash(Secret("pw"), nullptr, [pending](Result<std::string> r) { pending->set_value(r); });
    g.release();
    auto hashed = pending->get_future().get();
    REQUIRE(hashed.ok());
    CHECK(verify_password(*hashed, Secret("pw")));
    CHECK(hasher.refusals().wait_estimate == 0);
    CHECK(hasher.refusals().expired == 0);
}

TEST_CASE("expiry: a task that waited past max_wait is not run and reports storage.busy") {
    FedClock clock;
    CredentialHasher hasher({1, 100, 1s}, Argon2Params{1, 8192}, clock.now());
    Gate g;
    REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(1));
    // Queued behind the busy worker with no measured average: admitted.
    std::atomic<int> ran{0};
    std::promise<void> expired;
    REQUIRE(hasher.submit([&] { ++ran; }, [&] { expired.set_value(); }));
    auto late = std::make_shared<std::promise<Result<std::string>>>();
    hasher.hash(Secret("pw"), nullptr, [late](Result<std::string> r) { late->set_value(r); });
    clock.advance(1001ms);
    // The worker frees and finds both overdue: neither runs.
    g.release();
    expired.get_future().wait();
    auto r = late->get_future().get();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "storage.busy");
    CHECK(ran == 0);
    CHECK(hasher.refusals().expired == 2);
    CHECK(hasher.queue_depth() == 0);
}

TEST_CASE("expiry: a later request sweeps the overdue ones while the workers are busy") {
    FedClock clock;
    CredentialHasher hasher({1, 100, 1s}, Argon2Params{1, 8192}, clock.now());
    Gate g;
    REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(1));
    bool first_expired = false;
    REQUIRE(hasher.submit([] { FAIL("an expired task ran"); }, [&] { first_expired = true; }));
    clock.advance(500ms);
    std::atomic<bool> second_ran{false};
    REQUIRE(hasher.submit([&] { second_ran = true; }));
    CHECK_FALSE(first_expired);
    clock.advance(501ms);  // the first is 1001 ms old, the second 501 ms
    REQUIRE(hasher.submit([] {}));
    CHECK(first_expired);  // on this thread, at once, the worker still busy
    CHECK(hasher.queue_depth() == 2);
    CHECK(hasher.refusals().expired == 1);
    g.release();
    REQUIRE(g.wait_finished(1));
    hasher.shutdown();
    CHECK(second_ran);
}

TEST_CASE("shutdown does not run what expired while it drained the queue") {
    FedClock clock;
    auto hasher = std::make_unique<CredentialHasher>(HashPoolSettings{1, 10, 1s},
                                                     Argon2Params{1, 8192}, clock.now());
    Gate g;
    REQUIRE(hasher->submit(g.task()));
    REQUIRE(g.wait_running(1));
    std::atomic<int> ran{0}, expired{0};
    REQUIRE(hasher->submit([&] { ++ran; }, [&] { ++expired; }));
    clock.advance(2s);
    std::thread stopper([&] { hasher->shutdown(); });
    g.release();
    stopper.join();
    CHECK(ran == 0);
    CHECK(expired == 1);
    auto refused = hasher->submit([] {});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "storage.busy");
}

namespace {
// The CPU time of the engine's other threads, moved by hand.
struct FedOthers {
    std::atomic<std::int64_t> ns{0};
    OthersCpu read() {
        return [this] { return std::chrono::nanoseconds(ns.load()); };
    }
    void add(std::chrono::nanoseconds d) { ns += d.count(); }
    // Measured work that takes `took` on `clock` while the other threads use `busy` of CPU.
    std::function<void()> work(FedClock& clock, std::chrono::nanoseconds took,
                               std::chrono::nanoseconds busy) {
        return [this, &clock, took, busy] {
            clock.advance(took);
            add(busy);
        };
    }
};
// The estimated wait of a new request while a task holds the pool's only worker.
std::chrono::nanoseconds estimate_behind_held_task(CredentialHasher& hasher) {
    Gate g;
    REQUIRE(hasher.submit(g.task()));
    REQUIRE(g.wait_running(1));
    const auto estimate = hasher.estimated_wait();
    g.release();
    REQUIRE(g.wait_finished(1));
    return estimate;
}
}  // namespace

TEST_CASE("duty: after hash work on a busy engine, a worker rests in proportion") {
    FedClock clock;
    FedOthers others;
    CredentialHasher hasher({1, 100, 10s, 50}, Argon2Params{1, 8192}, clock.now(), others.read());
    // 60 ms of hash work while the other threads used 60 ms of CPU (one core busy): at 50%,
    // 60 ms of rest (real time) before the worker's next job.
    std::promise<std::chrono::steady_clock::time_point> handed_on, next_started;
    REQUIRE(hasher.submit_measured(others.work(clock, 60ms, 60ms),
                                   [&] { handed_on.set_value(std::chrono::steady_clock::now()); }));
    REQUIRE(hasher.submit([&] { next_started.set_value(std::chrono::steady_clock::now()); }));
    const auto rested = next_started.get_future().get() - handed_on.get_future().get();
    CHECK(rested >= 60ms);
    CHECK(hasher.rested() == 60ms);
    // The hash held the worker 120 ms with its rest: behind a held task, a new one waits that.
    // A plain task is not measured and no rest follows it.
    CHECK(estimate_behind_held_task(hasher) == 120ms);
}

TEST_CASE("duty: the rest scales with the engine's load, at most one core's worth") {
    FedClock clock;
    FedOthers others;
    CredentialHasher hasher({1, 100, 60s, 25}, Argon2Params{1, 8192}, clock.now(), others.read());
    // Half a core busy for 40 ms, at 25%: 40 ms * 0.5 * 3 = 60 ms.
    REQUIRE(hasher.submit_measured(others.work(clock, 40ms, 20ms), [] {}));
    // Three cores busy for 10 ms count as one: 10 ms * 1 * 3 = 30 ms.
    REQUIRE(hasher.submit_measured(others.work(clock, 10ms, 30ms), [] {}));
    hasher.shutdown();  // ends the rests (their length is counted as planned)
    CHECK(hasher.rested() == 90ms);
}

TEST_CASE("duty: hash work on an idle engine is not followed by a rest") {
    FedClock clock;
    FedOthers others;
    others.add(5s);  // CPU used before the work does not count
    CredentialHasher hasher({1, 100, 10s, 1}, Argon2Params{1, 8192}, clock.now(), others.read());
    run_measured(hasher, clock, 70ms);
    CHECK(hasher.rested() == 0ns);
    CHECK(estimate_behind_held_task(hasher) == 70ms);
}

TEST_CASE("duty: shutdown ends a rest and still runs what was queued") {
    FedClock clock;
    FedOthers others;
    auto hasher = std::make_unique<CredentialHasher>(
        HashPoolSettings{1, 10, 60s, 10}, Argon2Params{1, 8192}, clock.now(), others.read());
    std::promise<void> handed_on;
    REQUIRE(hasher->submit_measured(others.work(clock, 1s, 1s), [&] { handed_on.set_value(); }));
    // Nine seconds of rest follow (a new request's estimate, 10 s, is within max_wait).
    handed_on.get_future().wait();
    std::atomic<bool> ran{false};
    REQUIRE(hasher->submit([&] { ran = true; }));
    CHECK(hasher->queue_depth() == 1);  // the only worker rests
    const auto stopping = std::chrono::steady_clock::now();
    hasher->shutdown();  // stopping ends the rest
    CHECK(std::chrono::steady_clock::now() - stopping < 8s);
    CHECK(ran);
}

TEST_CASE("duty: while one worker rests, another takes new work at once") {
    FedClock clock;
    FedOthers others;
    CredentialHasher hasher({2, 10, 60s, 10}, Argon2Params{1, 8192}, clock.now(), others.read());
    std::promise<void> handed_on;
    REQUIRE(hasher.submit_measured(others.work(clock, 1s, 1s), [&] { handed_on.set_value(); }));
    handed_on.get_future().wait();  // that worker now rests nine seconds
    // A new job's wake-up must reach the idle worker, not be taken by the resting one.
    for (int i = 0; i < 5; ++i) {
        std::promise<void> ran;
        REQUIRE(hasher.submit([&] { ran.set_value(); }));
        CHECK(ran.get_future().wait_for(5s) == std::future_status::ready);
    }
    hasher.shutdown();
}

TEST_CASE("duty: the engine's own CPU clocks tell a worker that other threads are busy") {
    // The default OthersCpu: the process's CPU time less the worker thread's. A thread of
    // this process spins while a hash worker sleeps through 50 ms of measured work.
    CredentialHasher hasher({1, 10, 60s, 50}, Argon2Params{1, 8192});
    std::atomic<bool> spin{true};
    std::thread spinner([&] {
        while (spin) {
        }
    });
    std::promise<void> done;
    REQUIRE(hasher.submit_measured([] { std::this_thread::sleep_for(50ms); },
                                   [&] { done.set_value(); }));
    done.get_future().wait();
    spin = false;
    spinner.join();
    CHECK(hasher.rested() > 10ms);  // about 50 ms where the spinner had a core to itself
    hasher.shutdown();
}

}  // namespace credential_hasher_test
