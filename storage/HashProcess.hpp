// Argon2id in a child process. libsodium maps argon2_memlimit (64 MiB by default) for every
// hash and unmaps it afterwards; in the engine's own process each unmap takes the process's
// memory-map lock and shoots down TLBs on the core of the event loop, and under saturated logins
// the loop's p99 grew from under 1 ms to 9-14 ms (at 8 MiB: 5 ms; scripts/bench-api.sh). A hash
// worker thread of the CredentialHasher therefore hands its Argon2id work to a child process of
// its own (`ussdgw hash-worker`, SCHED_IDLE) over a socket pair and waits for the answer: the
// mappings come and go in another address space.
// - The child is started on first use and again after it died (the request in flight then
//   fails with "storage.hash"; the next one starts a new child). It ends when its socket
//   closes: with the HashProcess, or with the engine, however the engine ends.
// - The frames carry the secret; they never leave the machine or the two processes, and both
//   sides wipe their buffers after use.
// Request: op 'h' (hash) or 'v' (verify), u64 opslimit, u64 memlimit, u32 length + the
// secret, u32 length + the stored hash (verify) — all integers little-endian. Answer: u8
// status (0 ok / match, 1 no match, 2 failed), u32 length + the hash (for 'h').
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/base/Secret.hpp"
#include "storage/Passwords.hpp"

namespace ussdgw::storage {

class HashProcess {
  public:
    // `command`: the child's argv (for the engine: its own executable and "hash-worker").
    explicit HashProcess(std::vector<std::string> command);
    ~HashProcess();
    HashProcess(const HashProcess&) = delete;
    HashProcess& operator=(const HashProcess&) = delete;

    // Blocking, on the calling (hash worker) thread. Errors: "storage.hash".
    Result<std::string> hash(const Secret& password, const Argon2Params& params);
    Result<bool> verify(const std::string& stored_hash, const Secret& password);

    pid_t pid() const { return pid_; }  // the child's, or -1 (tests)

  private:
    Status start();
    void stop();
    // One request and its answer; on any I/O failure the child is stopped.
    Result<std::pair<int, std::string>> call(char op, const Argon2Params& params,
                                             std::string_view secret, std::string_view stored);

    std::vector<std::string> command_;
    pid_t pid_ = -1;
    int fd_ = -1;
};

// The child's side: answers requests on `fd` until it is closed. Returns the exit status.
int serve_hash_requests(int fd);

}  // namespace ussdgw::storage
