#include "storage/HashProcess.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "storage/Sodium.hpp"

namespace ussdgw::storage {

namespace {

constexpr std::uint32_t kMaxField = 64 * 1024;  // a secret or a stored hash, generously

bool write_all(int fd, const void* data, std::size_t n) {
    auto* p = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

bool read_all(int fd, void* data, std::size_t n) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
        ssize_t r = ::recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
template <typename T>
T get_le(const unsigned char* p) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
        v |= static_cast<T>(p[i]) << (8 * i);
    return v;
}

bool read_field(int fd, std::string& out) {
    unsigned char len[4];
    if (!read_all(fd, len, 4)) return false;
    const auto n = get_le<std::uint32_t>(len);
    if (n > kMaxField) return false;
    out.assign(n, '\0');
    return n == 0 || read_all(fd, out.data(), n);
}

void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

Error failed(std::string_view why) {
    return Error{"storage.hash", "the hash process " + std::string(why)};
}

}  // namespace

HashProcess::HashProcess(std::vector<std::string> command) : command_(std::move(command)) {}

HashProcess::~HashProcess() {
    stop();
}

Status HashProcess::start() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return Failure{failed(std::string("cannot be connected: ") + std::strerror(errno))};
    std::vector<char*> argv;
    for (auto& a : command_)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    // The child's end of the pair becomes its stdin; nothing else of the engine stays open.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], 0);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(sv[1]);
    if (rc != 0) {
        ::close(sv[0]);
        return Failure{failed(std::string("cannot be started: ") + std::strerror(rc))};
    }
    fd_ = sv[0];
    pid_ = pid;
    return ok_status();
}

void HashProcess::stop() {
    if (fd_ >= 0) ::close(fd_);  // the child sees end of file and exits
    fd_ = -1;
    if (pid_ > 0) {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
}

Result<std::pair<int, std::string>> HashProcess::call(char op, const Argon2Params& params,
                                                      std::string_view secret,
                                                      std::string_view stored) {
    if (fd_ < 0)
        if (auto st = start(); !st) return Failure{st.error()};
    std::string frame;
    frame.reserve(1 + 16 + 8 + secret.size() + stored.size());
    frame.push_back(op);
    put_u64(frame, params.opslimit);
    put_u64(frame, params.memlimit);
    put_u32(frame, static_cast<std::uint32_t>(secret.size()));
    frame.append(secret);
    put_u32(frame, static_cast<std::uint32_t>(stored.size()));
    frame.append(stored);
    const bool sent = write_all(fd_, frame.data(), frame.size());
    wipe(frame);
    unsigned char status = 0;
    std::string answer;
    if (!sent || !read_all(fd_, &status, 1) || !read_field(fd_, answer)) {
        stop();
        return Failure{failed("ended during a request")};
    }
    return std::make_pair(static_cast<int>(status), std::move(answer));
}

Result<std::string> HashProcess::hash(const Secret& password, const Argon2Params& params) {
    auto r = call('h', params, password.reveal(), {});
    if (!r) return Failure{r.error()};
    if (r->first != 0) return fail("storage.hash", "Argon2id hashing failed (out of memory?)");
    return std::move(r->second);
}

Result<bool> HashProcess::verify(const std::string& stored_hash, const Secret& password) {
    auto r = call('v', Argon2Params{}, password.reveal(), stored_hash);
    if (!r) return Failure{r.error()};
    if (r->first == 2) return Failure{failed("could not verify")};
    return r->first == 0;
}

int serve_hash_requests(int fd) {
    // Below every thread of the engine, and deaf to the terminal's and the supervisor's
    // signals: the child ends when the engine closes its socket (or dies).
    sched_param none{};
    if (::sched_setscheduler(0, SCHED_IDLE, &none) != 0) (void)::setpriority(PRIO_PROCESS, 0, 10);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    ensure_sodium();
    std::string secret, stored;
    for (;;) {
        unsigned char head[17];
        if (!read_all(fd, head, sizeof head)) return 0;  // the engine closed: done
        Argon2Params params{get_le<std::uint64_t>(head + 1),
                            static_cast<std::size_t>(get_le<std::uint64_t>(head + 9))};
        if (!read_field(fd, secret) || !read_field(fd, stored)) return 1;
        std::string answer;
        unsigned char status = 2;
        Secret pw(std::move(secret));
        secret = std::string();
        if (head[0] == 'h') {
            if (auto h = hash_password(pw, params)) {
                status = 0;
                answer = std::move(*h);
            }
        } else if (head[0] == 'v') {
            status = verify_password(stored, pw) ? 0 : 1;
        }
        pw.wipe();
        wipe(stored);
        std::string frame(1, static_cast<char>(status));
        put_u32(frame, static_cast<std::uint32_t>(answer.size()));
        frame += answer;
        if (!write_all(fd, frame.data(), frame.size())) return 1;
    }
}

}  // namespace ussdgw::storage
