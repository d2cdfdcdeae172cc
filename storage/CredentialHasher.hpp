// A small pool of worker threads for the Argon2id work of cabinet passwords (storage/
// Passwords), so that hashing never runs on the event loop: at most `workers` hashes run at
// once (each holds argon2_memlimit of memory). The queue in front of them is bounded twice:
// in length (`queue_limit`) and in time (`max_wait`). A request is refused at once with
// "storage.busy" when the queue is full or when its estimated wait (the work ahead of it,
// divided among the workers, times a moving average of the time a hash holds a worker: the
// run time of hash and verify work and the worker's rest after it, never of a plain task nor
// of what hands a result on) exceeds `max_wait`; a request that still waited past `max_wait`
// when a worker picks it (or when a later request arrives) is not run and gets
// "storage.busy" too. So a caller hears back within about `max_wait` plus one hash (and its
// rest), whatever the load. Results go back through the caller's Post.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/base/Secret.hpp"
#include "storage/Completion.hpp"
#include "storage/Passwords.hpp"

namespace ussdgw::storage {

struct HashPoolSettings {
    std::size_t workers = 1;
    std::size_t queue_limit = 1000;
    std::chrono::milliseconds max_wait{2000};
    // How much a worker backs off while the engine is busy, as the share of its time it may
    // hash then, in percent (1 to 100): after hash work that took t while the engine's other
    // threads kept u cores busy on average (u at most 1), the worker rests
    // t * u * (100 - duty_percent) / duty_percent before it takes the next job. On an idle
    // engine u is about 0 and the workers hash at full speed; on a busy one they leave the
    // caches and hyperthread siblings to the loops part of the time (SCHED_IDLE yields them
    // the CPU only). 100: never rest.
    unsigned duty_percent = 100;
    // The argv of a hash child process (storage/HashProcess), one per worker: the engine runs
    // its Argon2id work out of its own address space. Empty: the workers hash in-process
    // (the CLI and tests).
    std::vector<std::string> process{};
};

// The pool's clock (monotonic); tests feed their own.
using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

// The CPU time used so far by the threads of this process other than the calling one
// (CLOCK_PROCESS_CPUTIME_ID less CLOCK_THREAD_CPUTIME_ID): what tells a hash worker how busy
// the engine was while it hashed. The hash children are other processes and do not count.
// Tests feed their own.
using OthersCpu = std::function<std::chrono::nanoseconds()>;

// Refusals since start, by reason (the metrics' storage_hash_refused_total).
struct HashRefusals {
    std::uint64_t queue_full = 0;     // the queue held queue_limit requests
    std::uint64_t wait_estimate = 0;  // admission: the estimated wait exceeded max_wait
    std::uint64_t expired = 0;        // admitted, then waited past max_wait: not run
};

// The workers run as SCHED_IDLE threads (nice 10 where that is refused): while hashes
// saturate the cores, the event loop still answers at once; password requests wait for
// spare CPU, and the time bound turns the surplus into quick refusals. A worker rests after
// a hash in proportion to it and to how busy the engine was meanwhile (`duty_percent`).
// Destruction ends the rests, finishes queued work (what has not expired) and joins the
// threads.
class CredentialHasher {
  public:
    CredentialHasher(HashPoolSettings settings, Argon2Params params, SteadyNow now = {},
                     OthersCpu others_cpu = {});
    ~CredentialHasher();
    CredentialHasher(const CredentialHasher&) = delete;
    CredentialHasher& operator=(const CredentialHasher&) = delete;

    // `done` receives the hash (or "storage.busy" / "storage.hash") through `post`.
    void hash(Secret password, Post post, std::function<void(Result<std::string>)> done);
    // `done` receives whether `password` matches `stored_hash`.
    void verify(std::string stored_hash, Secret password, Post post,
                std::function<void(Result<bool>)> done);

    // Refuses new work ("storage.busy"), finishes what is queued and joins the workers.
    void shutdown();

    // Runs `task` on a worker, or refuses it at once ("storage.busy": stopping, queue full,
    // or estimated wait over max_wait). Once admitted, exactly one of `task` and `expired`
    // runs: `expired` (on a worker or a later submitter's thread) when it waited past
    // max_wait before a worker took it. Its run time is not measured: the moving average is
    // the hash time, and a task may run (or wait) for as long as it likes.
    Status submit(std::function<void()> task, std::function<void()> expired = {});
    // The same for hash work (what hash() and verify() submit): `work`'s run time feeds the
    // moving average; `then` runs after it on the same worker, unmeasured (it hands the
    // result on, which may wait for a lock or a queue).
    Status submit_measured(std::function<void()> work, std::function<void()> then,
                           std::function<void()> expired = {});
    const Argon2Params& params() const { return params_; }
    const HashPoolSettings& settings() const { return settings_; }
    // Tasks waiting for a worker (not counting those running). Thread-safe.
    std::size_t queue_depth();
    // What a request arriving now would be estimated to wait. Thread-safe.
    std::chrono::nanoseconds estimated_wait();
    // The moving average of the time measured work (hash and verify) holds a worker: its run
    // time and the rest after it; none before the first one. Thread-safe.
    std::optional<std::chrono::nanoseconds> average_run_time();
    HashRefusals refusals();
    // The workers' rests since start, added up (the metrics' storage_hash_rest_seconds_total).
    std::chrono::nanoseconds rested();

  private:
    using TimePoint = std::chrono::steady_clock::time_point;
    struct Job {
        std::function<void()> run;   // timed when `measured`
        std::function<void()> then;  // after `run`, never timed; may be empty
        std::function<void()> expired;
        TimePoint due;
        bool measured = false;
    };
    Status admit(Job job);
    void run();
    std::chrono::nanoseconds estimated_wait_locked() const;
    // Moves the jobs at the front whose due time has passed to `out` (FIFO: the oldest first).
    void take_expired_locked(TimePoint now, std::vector<Job>& out);
    // Measured work held a worker for `took` (its rest included): into the moving average.
    void measured_locked(std::chrono::nanoseconds took);
    // The rest after measured work that took `took` while the other threads used `others`.
    std::chrono::nanoseconds rest_after(std::chrono::nanoseconds took,
                                        std::chrono::nanoseconds others) const;

    HashPoolSettings settings_;
    Argon2Params params_;
    SteadyNow now_;
    OthersCpu others_cpu_;
    std::mutex mu_;
    std::condition_variable cv_;       // a job queued, or stopping
    std::condition_variable rest_cv_;  // stopping (ends the workers' rests)
    std::deque<Job> queue_;
    std::size_t running_ = 0;
    std::optional<double> average_ns_;
    HashRefusals refusals_;
    std::chrono::nanoseconds rested_{0};
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace ussdgw::storage
