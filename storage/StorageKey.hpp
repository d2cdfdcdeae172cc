// The server secret that protects what storage keeps: 32 random bytes in a file outside the
// database (created with mode 0600 on first use). Subkeys derived from it hash PUK1 codes with
// a keyed BLAKE2b (a PUK1 has only 10^8 values, so any unkeyed hash could be brute-forced
// offline from a stolen database; keyed with a secret that lives elsewhere, it cannot),
// encrypt SMS bodies in the outbox (XSalsa20-Poly1305), and fingerprint the key so that a
// database is never opened with another one.
#pragma once

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "engine/base/Result.hpp"

namespace ussdgw::storage {

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

}  // namespace ussdgw::storage
