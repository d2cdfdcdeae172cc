#include "storage/CredentialHasher.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace ussdgw::storage {

namespace {
void ensure_sodium() {
    static const int rc = sodium_init();
    (void)rc;
}

std::string to_hex(const unsigned char* p, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), p, n);
    out.pop_back();
    return out;
}

// The hash workers' nice value (the engine's threads run at 0).
constexpr int kWorkerNice = 10;

void dispatch(const Post& post, std::function<void()> fn) {
    if (post)
        post(std::move(fn));
    else
        fn();
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

CredentialHasher::CredentialHasher(std::size_t workers, std::size_t queue_limit,
                                   Argon2Params params)
    : params_(params), queue_limit_(queue_limit) {
    ensure_sodium();
    if (workers == 0) workers = 1;
    for (std::size_t i = 0; i < workers; ++i)
        threads_.emplace_back([this] {
            // Below the event loop's priority: while hashes saturate the cores, the loop
            // still answers at once (logins wait for a core, other requests do not).
            sched_param none{};
            if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) != 0)
                (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWorkerNice);
            run();
        });
}

CredentialHasher::~CredentialHasher() {
    shutdown();
}

void CredentialHasher::shutdown() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

bool CredentialHasher::submit(std::function<void()> task) {
    {
        std::lock_guard lk(mu_);
        if (stopping_ || queue_.size() >= queue_limit_) return false;
        queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

void CredentialHasher::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();
    }
}

void CredentialHasher::hash(Secret password, Post post,
                            std::function<void(Result<std::string>)> done) {
    auto shared_done = std::make_shared<std::function<void(Result<std::string>)>>(std::move(done));
    bool queued = submit([this, pw = std::move(password), post, shared_done]() mutable {
        auto r = hash_password(pw, params_);
        pw.wipe();
        dispatch(post, [shared_done, r = std::move(r)]() mutable { (*shared_done)(std::move(r)); });
    });
    if (!queued)
        dispatch(post, [shared_done] {
            (*shared_done)(fail("storage.busy", "too many password hashes waiting"));
        });
}

void CredentialHasher::verify(std::string stored_hash, Secret password, Post post,
                              std::function<void(Result<bool>)> done) {
    auto shared_done = std::make_shared<std::function<void(Result<bool>)>>(std::move(done));
    bool queued =
        submit([h = std::move(stored_hash), pw = std::move(password), post, shared_done]() mutable {
            bool match = verify_password(h, pw);
            pw.wipe();
            dispatch(post, [shared_done, match] { (*shared_done)(Result<bool>(match)); });
        });
    if (!queued)
        dispatch(post, [shared_done] {
            (*shared_done)(fail("storage.busy", "too many password checks waiting"));
        });
}

std::size_t CredentialHasher::queue_depth() {
    std::lock_guard lk(mu_);
    return queue_.size();
}

}  // namespace ussdgw::storage
