#include "storage/Passwords.hpp"

#include "storage/Sodium.hpp"

namespace ussdgw::storage {

Result<std::string> hash_password(const Secret& password, const Argon2Params& params) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    auto pw = password.reveal();
    if (crypto_pwhash_str_alg(out, pw.data(), pw.size(), params.opslimit, params.memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return fail("storage.hash", "Argon2id hashing failed (out of memory?)");
    return std::string(out);
}

bool verify_password(const std::string& stored_hash, const Secret& password) {
    ensure_sodium();
    auto pw = password.reveal();
    return crypto_pwhash_str_verify(stored_hash.c_str(), pw.data(), pw.size()) == 0;
}

Secret generate_password(std::size_t length, std::string_view alphabet) {
    ensure_sodium();
    std::string s(length, '0');
    for (auto& c : s)
        c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
    return Secret(std::move(s));
}

}  // namespace ussdgw::storage
