// libsodium, initialised once before the first use (hashing, keys, random passwords).
#pragma once

#include <sodium.h>

namespace ussdgw::storage {

inline void ensure_sodium() {
    static const int rc = sodium_init();
    (void)rc;
}

}  // namespace ussdgw::storage
