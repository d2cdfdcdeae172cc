// StorageKey: keyed PUK1 hashes, sealed SMS bodies, and the key file.
#include "storage/StorageKey.hpp"

#include <doctest/doctest.h>

#include "StorageTestSupport.hpp"

namespace storage_key_test {

using namespace ussdgw;
using namespace ussdgw::storage;
using namespace ussdgw::storage::test;

TEST_CASE("keyed PUK1 hashes and sealed SMS bodies") {
    std::array<unsigned char, 32> a{}, b{};
    b[0] = 1;
    auto ka = StorageKey::from_bytes(a), kb = StorageKey::from_bytes(b);
    std::string h = ka.hash_puk("375291000001", "12345678");
    CHECK(h.rfind("k1$", 0) == 0);
    CHECK(h.find("12345678") == std::string::npos);
    CHECK(ka.verify_puk(h, "375291000001", "12345678"));
    CHECK_FALSE(ka.verify_puk(h, "375291000001", "12345679"));
    CHECK_FALSE(ka.verify_puk(h, "375291000002", "12345678"));  // bound to the number
    CHECK_FALSE(kb.verify_puk(h, "375291000001", "12345678"));  // bound to the key
    std::string sealed = ka.seal("Пароль: abc");
    CHECK(sealed.find("abc") == std::string::npos);
    CHECK(*ka.unseal(sealed) == "Пароль: abc");
    CHECK_FALSE(kb.unseal(sealed).ok());
}

TEST_CASE("the key file: created with 32 random bytes, owner-only, read back the same") {
    TempDir dir;
    const std::string path = dir.file("keys/storage.key");  // its folder is created too
    auto a = StorageKey::load_or_create(path);
    REQUIRE_MESSAGE(a.ok(), (a.ok() ? "" : a.error().message));
    CHECK(std::filesystem::file_size(path) == 32);
    const auto perms = std::filesystem::status(path).permissions();
    CHECK((perms & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    auto again = StorageKey::load_or_create(path);
    REQUIRE(again.ok());
    CHECK(again->fingerprint() == a->fingerprint());
    CHECK(*again->unseal(a->seal("text")) == "text");
    CHECK(again->verify_puk(a->hash_puk("375291000001", "1234"), "375291000001", "1234"));
    // Another file, another key.
    auto other = StorageKey::load_or_create(dir.file("other.key"));
    REQUIRE(other.ok());
    CHECK(other->fingerprint() != a->fingerprint());
    CHECK(other->fingerprint().size() == 32);  // 16 bytes in hex
}

TEST_CASE("a key file of the wrong size is refused by name, and left as it was") {
    TempDir dir;
    for (std::size_t size : {0, 31, 33}) {
        const std::string path = dir.file("bad" + std::to_string(size) + ".key");
        {
            std::ofstream out(path, std::ios::binary);
            out << std::string(size, 'k');
        }
        auto k = StorageKey::load_or_create(path);
        REQUIRE_FALSE(k.ok());
        CHECK(k.error().code == "storage.key");
        CHECK(k.error().message.find(path) != std::string::npos);
        CHECK(std::filesystem::file_size(path) == size);
    }
    // from_bytes and a file holding the same bytes give the same key.
    const std::string path = dir.file("fixed.key");
    {
        std::ofstream out(path, std::ios::binary);
        out << std::string(32, '\0');
    }
    CHECK(StorageKey::load_or_create(path)->fingerprint() ==
          StorageKey::from_bytes({}).fingerprint());
}

TEST_CASE("sealed text: a fresh nonce each time, tampering and short input refused") {
    const auto k = StorageKey::from_bytes({});
    const std::string a = k.seal("same"), b = k.seal("same");
    CHECK(a != b);
    CHECK(*k.unseal(b) == "same");
    std::string tampered = a;
    tampered.back() = static_cast<char>(tampered.back() ^ 1);
    CHECK(k.unseal(tampered).error().code == "storage.sealed");
    CHECK(k.unseal("short").error().code == "storage.sealed");
    CHECK(*k.unseal(k.seal("")) == "");
}

}  // namespace storage_key_test
