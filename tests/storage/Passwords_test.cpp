// Passwords: Argon2id hashes (never the clear text, salted, verified) and random passwords
// drawn from an alphabet.
#include "storage/Passwords.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

namespace passwords_test {

using namespace ussdgw;
using namespace ussdgw::storage;

namespace {
const Argon2Params kCheap{1, 8192};
}

TEST_CASE("hash_password: an Argon2id string, salted, verified only with the password") {
    auto a = hash_password(Secret("correct horse"), kCheap);
    auto b = hash_password(Secret("correct horse"), kCheap);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->rfind("$argon2id$", 0) == 0);
    CHECK(a->find("correct horse") == std::string::npos);
    CHECK(*a != *b);  // a fresh salt each time
    CHECK(verify_password(*a, Secret("correct horse")));
    CHECK(verify_password(*b, Secret("correct horse")));
    CHECK_FALSE(verify_password(*a, Secret("correct horsE")));
    CHECK_FALSE(verify_password(*a, Secret("")));
    CHECK_FALSE(verify_password("not a hash", Secret("correct horse")));
    CHECK_FALSE(verify_password("", Secret("")));
}

TEST_CASE("generate_password: the length asked, only the alphabet's characters, not repeated") {
    const std::string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
    std::set<std::string> seen;
    std::set<char> used;
    for (int i = 0; i < 200; ++i) {
        const std::string p(generate_password(10, alphabet).reveal());
        REQUIRE(p.size() == 10);
        for (char c : p) {
            CHECK(alphabet.find(c) != std::string::npos);
            used.insert(c);
        }
        seen.insert(p);
    }
    CHECK(seen.size() == 200);
    CHECK(used.size() > alphabet.size() / 2);  // 2000 draws reach most of the alphabet
    const std::string one(generate_password(6, "7").reveal());
    CHECK(one == "777777");
}

}  // namespace passwords_test
