#include "engine/cli/ChildProcess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace ussdgw::cli {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool Child::running() {
    if (pid <= 0) return false;
    int st = 0;
    const pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == 0) return true;
    if (r > 0) exit_status = st;
    pid = -1;  // reaped (or not ours to wait for): never signal this pid again
    return false;
}

int Child::stop(std::chrono::milliseconds grace) {
    if (in_fd >= 0) close(in_fd), in_fd = -1;
    if (out_fd >= 0) close(out_fd), out_fd = -1;
    if (pid <= 0) return exit_status;
    kill(pid, SIGTERM);
    int st = 0;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t r = waitpid(pid, &st, WNOHANG);
        if (r != 0) {
            pid = -1;
            if (r > 0) exit_status = st;
            return exit_status;
        }
        std::this_thread::sleep_for(10ms);
    }
    kill(pid, SIGKILL);
    if (waitpid(pid, &st, 0) == pid) exit_status = st;
    pid = -1;
    return exit_status;
}

void Child::kill_now() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    pid = -1;
    if (in_fd >= 0) close(in_fd), in_fd = -1;
    if (out_fd >= 0) close(out_fd), out_fd = -1;
}

std::string Child::stderr_text() const {
    std::ifstream f(stderr_path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::optional<Child> spawn_child(const std::vector<std::string>& argv,
                                 const std::string& err_path) {
    int in_pipe[2], out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0) return std::nullopt;
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        close(in_pipe[0]), close(in_pipe[1]);
        return std::nullopt;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    Child c;
    c.stderr_path = err_path;
    const int rc = posix_spawnp(&c.pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (rc != 0) {
        close(in_pipe[1]);
        close(out_pipe[0]);
        return std::nullopt;
    }
    c.in_fd = in_pipe[1];
    c.out_fd = out_pipe[0];
    return c;
}

std::optional<std::string> read_line_with(Child& c, const std::string& prefix,
                                          std::chrono::milliseconds limit) {
    std::string buf;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{c.out_fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char tmp[512];
        const ssize_t n = read(c.out_fd, tmp, sizeof tmp);
        if (n <= 0) return std::nullopt;
        buf.append(tmp, static_cast<std::size_t>(n));
        std::size_t start = 0, nl;
        while ((nl = buf.find('\n', start)) != std::string::npos) {
            std::string line = buf.substr(start, nl - start);
            if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
            start = nl + 1;
        }
        buf.erase(0, start);
    }
    return std::nullopt;
}

std::string filesystem_name(const std::filesystem::path& dir) {
    struct statfs st {};
    if (statfs(dir.c_str(), &st) != 0) return "unknown";
    switch (static_cast<unsigned long>(st.f_type)) {
        case 0x01021994UL:
            return "tmpfs";
        case 0xEF53UL:
            return "ext4";
        case 0x58465342UL:
            return "xfs";
        case 0x9123683EUL:
            return "btrfs";
        case 0x794C7630UL:
            return "overlayfs";
        case 0x2FC12FC1UL:
            return "zfs";
        default: {
            std::ostringstream hex;
            hex << "0x" << std::hex << std::uppercase << static_cast<unsigned long>(st.f_type);
            return hex.str();
        }
    }
}

ProcessUsage process_usage(pid_t pid) {
    ProcessUsage u;
    {
        std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
        std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        // Fields after the command name (which may hold spaces): state is field 3, utime 14,
        // stime 15.
        const auto close_paren = text.rfind(')');
        if (close_paren != std::string::npos) {
            std::istringstream rest(text.substr(close_paren + 2));
            std::string field;
            unsigned long long utime = 0, stime = 0;
            for (int i = 3; i <= 15 && rest >> field; ++i) {
                if (i == 14) utime = std::stoull(field);
                if (i == 15) stime = std::stoull(field);
            }
            u.cpu_seconds =
                static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
        }
    }
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0) u.rss_kib = std::stoull(line.substr(6));
        if (line.rfind("VmHWM:", 0) == 0) u.hwm_kib = std::stoull(line.substr(6));
        if (line.rfind("RssAnon:", 0) == 0) u.anon_kib = std::stoull(line.substr(8));
    }
    return u;
}

std::uint16_t free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

bool port_accepts(std::uint16_t port) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
}

std::string self_path() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("ussdgw") : p.string();
}

std::string source_file(const fs::path& rel) {
    if (fs::exists(rel)) return fs::absolute(rel).string();
    const fs::path beside = fs::path(self_path()).parent_path().parent_path() / rel;
    if (fs::exists(beside)) return beside.string();
    return rel.string();
}

}  // namespace ussdgw::cli
