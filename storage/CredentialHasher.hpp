// Secrets at rest. Cabinet passwords are hashed with Argon2id (libsodium crypto_pwhash_str);
// those hashes are slow and memory-hungry on purpose, so they run on `CredentialHasher`, a
// small pool of worker threads that bounds how many run at once, with results handed back
// through a caller-supplied `Post` (for example "post to my event loop"). PUK1 codes are
// hashed with a keyed BLAKE2b (`StorageKey`): a PUK1 has only 10^8 values, so any unkeyed
// hash could be brute-forced offline from a stolen database; keyed with a server secret
// that lives outside the database, it cannot. The same key encrypts SMS bodies in the outbox.
#pragma once

#include <sodium.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/base/Secret.hpp"

namespace ussdgw::storage {

// Runs `fn` on the thread that should see a result (an event loop), or inline when empty.
using Post = std::function<void(std::function<void()>)>;

// The server secret: 32 random bytes in a file (created with mode 0600 on first use).
class StorageKey {
  public:
    static Result<StorageKey> load_or_create(const std::string& path);
    static StorageKey from_bytes(const std::array<unsigned char, 32>& bytes);

    // "k1$" + hex of BLAKE2b-256 keyed with a subkey, over MSISDN and PUK1.
    std::string hash_puk(std::string_view msisdn, std::string_view puk) const;
    bool verify_puk(std::string_view stored, std::string_view msisdn, std::string_view puk) const;

    // Authenticated encryption (XSalsa20-Poly1305) of an SMS body: nonce || ciphertext.
    std::string seal(std::string_view clear) const;
    Result<std::string> unseal(std::string_view sealed) const;

    // A hex fingerprint stored in the database to detect a wrong key file.
    std::string fingerprint() const;

  private:
    StorageKey() = default;
    void derive(const std::array<unsigned char, 32>& master);
    std::array<unsigned char, 32> puk_key_{};
    std::array<unsigned char, 32> sms_key_{};
    std::array<unsigned char, 32> fingerprint_key_{};
};

// Argon2id parameters (crypto_pwhash opslimit / memlimit).
struct Argon2Params {
    std::uint64_t opslimit = 2;
    std::size_t memlimit = 64 * 1024 * 1024;
};

// Synchronous primitives (call them on a worker, never on the event loop).
Result<std::string> hash_password(const Secret& password, const Argon2Params& params);
bool verify_password(const std::string& stored_hash, const Secret& password);
// A random password of `length` characters drawn uniformly from `alphabet`.
Secret generate_password(std::size_t length, std::string_view alphabet);

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
