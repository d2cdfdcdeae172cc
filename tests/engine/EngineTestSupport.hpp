// Helpers for the engine tests: a real Storage in a temporary directory whose completions
// are posted to a queue the test thread runs (like the engine's event loop), with the
// demo-like subscribers of the storage tests loaded.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "storage/StorageTestSupport.hpp"

namespace ussdgw::test {

// The test's event loop: storage posts completions here; `run_until` runs them on the
// test thread until a condition holds (bounded in time).
class TestLoop {
  public:
    storage::Post post() {
        return [this](std::function<void()> fn) {
            std::lock_guard lk(mu_);
            queue_.push_back(std::move(fn));
            cv_.notify_all();
        };
    }
    bool run_until(const std::function<bool()>& done,
                   std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            std::function<void()> fn;
            {
                std::unique_lock lk(mu_);
                if (!cv_.wait_until(lk, deadline, [&] { return !queue_.empty(); })) return false;
                fn = std::move(queue_.front());
                queue_.pop_front();
            }
            fn();
        }
        return true;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
};

struct StorageHarness {
    storage::test::TempDir dir;
    storage::StorageConfig cfg = storage::test::test_config(dir);
    storage::test::ManualClock clock;  // storage's wall clock, moved by the test
    TestLoop loop;
    std::unique_ptr<storage::Storage> st;

    StorageHarness() {
        storage::test::import_csv(cfg, storage::test::kSampleCsv);
        auto s = storage::Storage::open(cfg, loop.post(), clock.fn());
        REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
        st = std::move(*s);
    }

    // Runs an outbox operation and waits for it on the test loop.
    template <typename T>
    Result<T> outbox(std::function<Result<T>(storage::SmsOutbox&, std::int64_t)> work) {
        std::optional<Result<T>> out;
        st->with_outbox<T>(std::move(work), [&](Result<T> r) { out.emplace(std::move(r)); });
        REQUIRE(loop.run_until([&] { return out.has_value(); }));
        return std::move(*out);
    }
};

}  // namespace ussdgw::test
