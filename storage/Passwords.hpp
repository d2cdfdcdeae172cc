// Cabinet passwords: Argon2id hashes (libsodium crypto_pwhash_str), slow and memory-hungry on
// purpose, and random new passwords. These are the synchronous primitives: call them on a
// worker (CredentialHasher), never on the event loop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/Result.hpp"
#include "engine/base/Secret.hpp"

namespace ussdgw::storage {

// Argon2id parameters (crypto_pwhash opslimit / memlimit).
struct Argon2Params {
    std::uint64_t opslimit = 2;
    std::size_t memlimit = 64 * 1024 * 1024;
};

Result<std::string> hash_password(const Secret& password, const Argon2Params& params);
bool verify_password(const std::string& stored_hash, const Secret& password);
// A random password of `length` characters drawn uniformly from `alphabet`.
Secret generate_password(std::size_t length, std::string_view alphabet);

}  // namespace ussdgw::storage
