#include "storage/StorageKey.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "storage/Sodium.hpp"

namespace ussdgw::storage {

namespace {
std::string to_hex(const unsigned char* p, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), p, n);
    out.pop_back();
    return out;
}
}  // namespace

Result<StorageKey> StorageKey::load_or_create(const std::string& path) {
    ensure_sodium();
    std::array<unsigned char, 32> master{};
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        randombytes_buf(master.data(), master.size());
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return fail("storage.key",
                        fmt::format("{}: cannot create key file: {}", path, std::strerror(errno)));
        bool ok =
            ::write(fd, master.data(), master.size()) == static_cast<ssize_t>(master.size()) &&
            ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) return fail("storage.key", fmt::format("{}: cannot write key file", path));
    } else {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return fail("storage.key",
                        fmt::format("{}: cannot read key file: {}", path, std::strerror(errno)));
        unsigned char extra = 0;
        ssize_t n = ::read(fd, master.data(), master.size());
        ssize_t more = ::read(fd, &extra, 1);
        ::close(fd);
        if (n != static_cast<ssize_t>(master.size()) || more != 0)
            return fail("storage.key",
                        fmt::format("{}: key file must hold exactly 32 bytes", path));
    }
    StorageKey k;
    k.derive(master);
    sodium_memzero(master.data(), master.size());
    return k;
}

StorageKey StorageKey::from_bytes(const std::array<unsigned char, 32>& bytes) {
    ensure_sodium();
    StorageKey k;
    k.derive(bytes);
    return k;
}

void StorageKey::derive(const std::array<unsigned char, 32>& master) {
    crypto_kdf_derive_from_key(puk_key_.data(), puk_key_.size(), 1, "ussdpuk1", master.data());
    crypto_kdf_derive_from_key(sms_key_.data(), sms_key_.size(), 2, "ussdsms1", master.data());
    crypto_kdf_derive_from_key(fingerprint_key_.data(), fingerprint_key_.size(), 3, "ussdfpr1",
                               master.data());
}

std::string StorageKey::hash_puk(std::string_view msisdn, std::string_view puk) const {
    unsigned char out[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, puk_key_.data(), puk_key_.size(), sizeof out);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(msisdn.data()),
                              msisdn.size());
    const unsigned char sep = ':';
    crypto_generichash_update(&st, &sep, 1);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(puk.data()), puk.size());
    crypto_generichash_final(&st, out, sizeof out);
    return "k1$" + to_hex(out, sizeof out);
}

bool StorageKey::verify_puk(std::string_view stored, std::string_view msisdn,
                            std::string_view puk) const {
    std::string h = hash_puk(msisdn, puk);
    return stored.size() == h.size() && sodium_memcmp(stored.data(), h.data(), h.size()) == 0;
}

std::string StorageKey::seal(std::string_view clear) const {
    std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + clear.size(), '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(p, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(clear.data()), clear.size(), p,
                          sms_key_.data());
    return out;
}

Result<std::string> StorageKey::unseal(std::string_view sealed) const {
    if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return fail("storage.sealed", "sealed text too short");
    const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
    std::string out(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(
            reinterpret_cast<unsigned char*>(out.data()), p + crypto_secretbox_NONCEBYTES,
            sealed.size() - crypto_secretbox_NONCEBYTES, p, sms_key_.data()) != 0)
        return fail("storage.sealed", "cannot decrypt (wrong key file?)");
    return out;
}

std::string StorageKey::fingerprint() const {
    unsigned char out[16];
    static const char kLabel[] = "ussdgw storage key";
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(kLabel),
                       sizeof kLabel - 1, fingerprint_key_.data(), fingerprint_key_.size());
    return to_hex(out, sizeof out);
}

}  // namespace ussdgw::storage
