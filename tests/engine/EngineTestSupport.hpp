// Helpers for the engine tests: a real Storage in a temporary directory, with the demo-like
// subscribers of the storage tests loaded, whose completions are posted either to a queue
// the test thread runs (StorageHarness, for sans-I/O parts) or to an io_context the test
// thread runs (LoopStorageHarness, for the services' shells with their timers), like the
// engine's event loop.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
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

// The sample subscribers imported into `cfg`'s database, then the storage opened on it.
inline std::unique_ptr<storage::Storage> open_sample_storage(const storage::StorageConfig& cfg,
                                                             storage::Post post,
                                                             const storage::test::ManualClock& c) {
    storage::test::import_csv(cfg, storage::test::kSampleCsv);
    auto s = storage::Storage::open(cfg, std::move(post), c.fn());
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().message));
    return std::move(*s);
}

struct StorageHarness {
    storage::test::TempDir dir;
    storage::StorageConfig cfg = storage::test::test_config(dir);
    storage::test::ManualClock clock;  // storage's wall clock, moved by the test
    TestLoop loop;
    std::unique_ptr<storage::Storage> st = open_sample_storage(cfg, loop.post(), clock);

    // The stored record of a subscriber that exists.
    storage::SubscriberRecord record(const char* msisdn) {
        return st->find(storage::test::msisdn(msisdn))->value();
    }
    bool access_open(const char* msisdn) { return record(msisdn).cabinet.access_open; }

    // Runs an outbox operation and waits for it on the test loop.
    template <typename T>
    Result<T> outbox(std::function<Result<T>(storage::SmsOutbox&, std::int64_t)> work) {
        std::optional<Result<T>> out;
        st->with_outbox<T>(std::move(work), [&](Result<T> r) { out.emplace(std::move(r)); });
        REQUIRE(loop.run_until([&] { return out.has_value(); }));
        return std::move(*out);
    }
};

// The same storage with its completions posted to an io_context the test thread runs
// (`run_until`, `settle`), where the services under test keep their timers.
struct LoopStorageHarness {
    boost::asio::io_context io;  // declared first: storage posts here until it is closed
    storage::test::TempDir dir;
    storage::StorageConfig cfg = storage::test::test_config(dir);
    storage::test::ManualClock clock;  // storage's wall clock, moved by the test
    std::unique_ptr<storage::Storage> st = open_sample_storage(
        cfg, [this](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); }, clock);

    // Runs the loop until `pred` holds (false after `limit`).
    template <typename Pred>
    bool run_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!pred()) {
            if (std::chrono::steady_clock::now() >= deadline) return false;
            io.restart();
            io.run_for(std::chrono::milliseconds(5));
        }
        return true;
    }
    // Runs the loop for a while (to see that nothing more happens, or to let time pass).
    void settle(std::chrono::milliseconds d = std::chrono::milliseconds(100)) {
        io.restart();
        io.run_for(d);
    }
    template <typename T>
    Result<T> outbox(std::function<Result<T>(storage::SmsOutbox&, std::int64_t)> work) {
        std::optional<Result<T>> out;
        st->with_outbox<T>(std::move(work), [&](Result<T> r) { out.emplace(std::move(r)); });
        REQUIRE(run_until([&] { return out.has_value(); }));
        return std::move(*out);
    }
};

// An SMS to the first sample subscriber put in the outbox; its id. (Either harness.)
template <typename Harness>
std::int64_t enqueue_sms(Harness& h, const std::string& text) {
    auto id = h.template outbox<std::int64_t>([text](storage::SmsOutbox& o, std::int64_t now_ms) {
        return o.enqueue(storage::test::msisdn("375291000001"), "password", text, now_ms);
    });
    REQUIRE(id.ok());
    return *id;
}

// The outbox's view of message `id`. (Either harness.)
template <typename Harness>
storage::OutboxStatus outbox_status(Harness& h, std::int64_t id) {
    auto s = h.template outbox<std::optional<storage::OutboxStatus>>(
        [id](storage::SmsOutbox& o, std::int64_t) { return o.status(id); });
    REQUIRE(s.ok());
    REQUIRE(s->has_value());
    return **s;
}

}  // namespace ussdgw::test
