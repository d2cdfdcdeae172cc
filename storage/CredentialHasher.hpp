// A small pool of worker threads for the Argon2id work of cabinet passwords (storage/
// Passwords), so that hashing never runs on the event loop: at most `workers` hashes run at
// once (each holds argon2_memlimit of memory) and at most `queue_limit` wait; beyond that a
// request is refused at once with "storage.busy". Results go back through the caller's Post.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/base/Secret.hpp"
#include "storage/Completion.hpp"
#include "storage/Passwords.hpp"

namespace ussdgw::storage {

// A pool of `workers` threads for Argon2id work; at most `workers` hashes run at once and
// at most `queue_limit` wait. The workers run as SCHED_IDLE threads (nice 10 where that is
// refused): while hashes saturate the cores, the event loop still answers at once; logins
// wait for spare CPU, other requests do not. Destruction finishes queued work and joins the
// threads.
class CredentialHasher {
  public:
    CredentialHasher(std::size_t workers, std::size_t queue_limit, Argon2Params params);
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

    // Runs an arbitrary task on a worker; false when the queue is full.
    bool submit(std::function<void()> task);
    const Argon2Params& params() const { return params_; }
    // Tasks waiting for a worker (not counting those running). Thread-safe.
    std::size_t queue_depth();

  private:
    void run();

    Argon2Params params_;
    std::size_t queue_limit_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace ussdgw::storage
