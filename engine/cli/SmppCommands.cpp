// `ussdgw bench smpp`: submit_sm throughput and latency of our SMPP server against the
// npm `smpp` server, measured with the same windowed load client (smpp/SmppLoadClient).
//
// Our server is smpp::SmppServer on an ephemeral 127.0.0.1 port with one bench account
// (role "sms"), in this process on its own thread (default) with an application that
// accepts every submit_sm with a message id, or with --server spawn a child `ussdgw run` on
// a temporary config (the engine refuses listener requests for now: ESME_RINVSERTYP, so
// that measures the refusal path); the node server is `node scripts/node/bench-server.js`.
// The load client runs on the main thread; servers are stopped at the end.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/Log.hpp"
#include "engine/cli/Commands.hpp"
#include "smpp/MessageId.hpp"
#include "smpp/SmppLoadClient.hpp"
#include "smpp/SmppServer.hpp"

extern char** environ;

namespace ussdgw::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct BenchOptions {
    std::uint32_t window = 100;
    std::uint64_t count = 300'000;
    double seconds = 5.0;
    std::string target = "both";        // both, ours, node
    std::string server = "in-process";  // ours: in-process (own thread) or spawn (ussdgw run)
    std::uint16_t port = 0;             // an already running server instead of spawning ours
    std::string system_id = "bench";
    std::string password = "bench";
    std::string node = "node";
    std::string node_script;  // default: scripts/node/bench-server.js (cwd, then beside the binary)
    std::string text = "Bench message 0123456789";
    bool keep_logs = false;
};

// A child process with its stdin and stdout on pipes and stderr in a file.
struct Child {
    pid_t pid = -1;
    int in_fd = -1;   // write end of the child's stdin
    int out_fd = -1;  // read end of the child's stdout
    std::string stderr_path;

    bool running() {
        if (pid <= 0) return false;
        int st = 0;
        return waitpid(pid, &st, WNOHANG) == 0;
    }

    void stop() {
        if (in_fd >= 0) close(in_fd), in_fd = -1;
        if (out_fd >= 0) close(out_fd), out_fd = -1;
        if (pid <= 0) return;
        kill(pid, SIGTERM);
        int st = 0;
        for (int i = 0; i < 500; ++i) {  // up to 5 s, then SIGKILL
            if (waitpid(pid, &st, WNOHANG) != 0) {
                pid = -1;
                return;
            }
            std::this_thread::sleep_for(10ms);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        pid = -1;
    }

    std::string stderr_text() const {
        std::ifstream f(stderr_path);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
};

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

// Reads the child's stdout until a line starts with `prefix`; returns the rest of it.
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

// A file of the source tree: relative to the working directory, else beside the build
// directory the binary is in (build/, build-x/ sit in the source tree).
std::string source_file(const fs::path& rel) {
    if (fs::exists(rel)) return fs::absolute(rel).string();
    const fs::path beside = fs::path(self_path()).parent_path().parent_path() / rel;
    if (fs::exists(beside)) return beside.string();
    return rel.string();
}

std::string find_node_script(const BenchOptions& o) {
    if (!o.node_script.empty()) return o.node_script;
    return source_file("scripts/node/bench-server.js");
}

// The temporary configuration for a spawned `ussdgw run`: the listener only (no client
// links, no HTTP), the shipped menus, a fresh database in `dir`, logs quiet.
std::string bench_config(std::uint16_t port, const BenchOptions& o, const fs::path& dir) {
    return fmt::format(R"([log]
level = "warn"

[smpp.server]
enabled = true
listen = "127.0.0.1:{}"
window = {}

[[smpp.server.account]]
system_id = "{}"
password = "{}"
roles = ["sms"]

[menus]
directory = "{}"

[http]
enabled = false

[storage]
database = "{}"
key_file = "{}"
argon2_memlimit = 8388608
)",
                       port, o.window, o.system_id, o.password, source_file("menus/cabinet"),
                       (dir / "bench.db").string(), (dir / "bench.key").string());
}

smpp::SubmitSm bench_message(const BenchOptions& o) {
    smpp::SubmitSm m;
    m.source = {5, 0, "ussdgw"};
    m.destination = {1, 1, "375291234567"};
    m.data_coding = 0;
    m.short_message = o.text;
    return m;
}

struct Measured {
    std::string name;
    std::optional<smpp::LoadReport> report;
    std::string error;
};

Measured measure(const std::string& name, std::uint16_t port, const BenchOptions& o) {
    smpp::LoadOptions lo;
    lo.port = port;
    lo.system_id = o.system_id;
    lo.password = o.password;
    lo.window = o.window;
    lo.count = o.count;
    lo.duration = std::chrono::milliseconds(static_cast<long long>(o.seconds * 1000));
    lo.message = bench_message(o);
    auto r = smpp::run_submit_load(lo);
    if (!r) return {name, std::nullopt, r.error().message};
    return {name, *r, {}};
}

// The in-process server's application: accepts every submit_sm with a message id (the bench
// measures the SMPP path, not a service).
struct AcceptAll : smpp::SmppApplication {
    smpp::MessageIdGenerator ids;
    void on_server_request(const smpp::PeerInfo&, const smpp::Pdu&,
                           smpp::SmppReply reply) override {
        reply.accept(ids.next());
    }
};

// Our SmppServer in this process, on its own thread with its own io_context.
Measured bench_ours_in_process(const BenchOptions& o) {
    const std::string name = "ussdgw SmppServer";
    smpp::ServerConfig sc;
    sc.enabled = true;
    sc.host = "127.0.0.1";
    sc.port = 0;
    sc.window = o.window;
    smpp::AccountConfig account;
    account.system_id = o.system_id;
    account.password = Secret(o.password);
    account.roles = {"sms"};
    sc.accounts.push_back(account);

    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    AcceptAll app;
    auto server = smpp::SmppServer::create(io, sc, app);
    try {
        server->start();
    } catch (const std::exception& e) {
        return {name, std::nullopt, e.what()};
    }
    std::thread thread([&io] { io.run(); });
    auto m = measure(name, server->port(), o);
    boost::asio::post(io, [&] {
        server->stop([&] {
            work.reset();
            io.stop();
        });
    });
    thread.join();
    return m;
}

Measured bench_ours(const BenchOptions& o, const fs::path& dir) {
    const std::string name = "ussdgw SmppServer";
    if (o.port != 0) return measure("server on --port", o.port, o);
    if (o.server == "in-process") return bench_ours_in_process(o);
    const std::uint16_t port = free_port();
    const fs::path conf = dir / "bench.toml";
    std::ofstream(conf) << bench_config(port, o, dir);
    auto child =
        spawn_child({self_path(), "--config", conf.string(), "run"}, (dir / "ussdgw.log").string());
    if (!child) return {name, std::nullopt, "cannot spawn ussdgw"};
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    bool up = false;
    while (std::chrono::steady_clock::now() < deadline && child->running()) {
        if ((up = port_accepts(port))) break;
        std::this_thread::sleep_for(20ms);
    }
    if (!up) {
        const bool ran = child->running();
        child->stop();
        return {name, std::nullopt,
                fmt::format("our server did not listen on 127.0.0.1:{} ({}); its log:\n{}", port,
                            ran ? "timeout" : "ussdgw exited", child->stderr_text())};
    }
    auto m = measure(name, port, o);
    child->stop();
    if (!m.report) m.error += "\nussdgw log:\n" + child->stderr_text();
    return m;
}

Measured bench_node(const BenchOptions& o, const fs::path& dir) {
    const std::string name = "node smpp 0.5.1";
    const std::string script = find_node_script(o);
    auto child = spawn_child({o.node, script, "--port", "0"}, (dir / "node.log").string());
    if (!child) return {name, std::nullopt, fmt::format("cannot spawn {} {}", o.node, script)};
    auto port_text = read_line_with(*child, "listening ", 15s);
    if (!port_text) {
        child->stop();
        return {name, std::nullopt,
                fmt::format("{} did not start; its stderr:\n{}", script, child->stderr_text())};
    }
    auto m = measure(name, static_cast<std::uint16_t>(std::atoi(port_text->c_str())), o);
    child->stop();
    return m;
}

void print_row(const Measured& m) {
    if (!m.report) {
        std::printf("%-22s FAILED: %s\n", m.name.c_str(), m.error.c_str());
        return;
    }
    const auto& r = *m.report;
    std::printf("%-22s %10.0f %9.3f %9.3f %9.3f %9.3f %9llu %7llu\n", m.name.c_str(),
                r.per_second(), r.p50_us / 1000, r.p90_us / 1000, r.p99_us / 1000, r.max_us / 1000,
                static_cast<unsigned long long>(r.ok + r.failed),
                static_cast<unsigned long long>(r.failed));
    if (r.failed) std::printf("%-22s first error status 0x%08X\n", "", r.first_error_status);
}

int run_bench(const BenchOptions& o) {
    char tmpl[] = "/tmp/ussdgw-bench-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::fprintf(stderr, "bench: cannot create a temporary directory\n");
        return 1;
    }
    const fs::path dir = tmpl;
    std::printf(
        "ussdgw bench smpp: submit_sm over one connection, window %u, up to %llu PDUs or "
        "%.1f s per server, 127.0.0.1\n",
        o.window, static_cast<unsigned long long>(o.count), o.seconds);
    std::printf("%-22s %10s %9s %9s %9s %9s %9s %7s\n", "server", "PDUs/s", "p50 ms", "p90 ms",
                "p99 ms", "max ms", "answered", "errors");
    std::fflush(stdout);
    std::vector<Measured> rows;
    if (o.target == "both" || o.target == "ours") {
        rows.push_back(bench_ours(o, dir));
        print_row(rows.back());
        std::fflush(stdout);
    }
    if (o.target == "both" || o.target == "node") {
        rows.push_back(bench_node(o, dir));
        print_row(rows.back());
    }
    int rc = 0;
    for (const auto& m : rows)
        if (!m.report || m.report->ok == 0) rc = 1;
    if (rows.size() == 2 && rows[0].report && rows[1].report && rows[1].report->per_second() > 0) {
        std::printf("ratio ours/node: %.1fx\n",
                    rows[0].report->per_second() / rows[1].report->per_second());
    }
    if (!o.keep_logs) {
        std::error_code ec;
        fs::remove_all(dir, ec);
    } else {
        std::printf("logs kept in %s\n", dir.c_str());
    }
    return rc;
}

}  // namespace

void register_smpp_commands(CLI::App& app, CliContext& ctx) {
    // `bench` is shared with other layers (bench storage): whoever registers first adds it.
    CLI::App* bench = nullptr;
    for (auto* sub : app.get_subcommands({}))
        if (sub->get_name() == "bench") bench = sub;
    if (!bench) {
        bench = app.add_subcommand("bench", "benchmarks (bench smpp, bench storage)");
        bench->require_subcommand(1);
    }
    auto opts = std::make_shared<BenchOptions>();
    auto* smpp = bench->add_subcommand(
        "smpp", "submit_sm throughput and latency: our SMPP server vs the npm smpp server");
    smpp->add_option("--window", opts->window, "outstanding submit_sm")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    smpp->add_option("--count", opts->count, "PDUs per server (at most)")->capture_default_str();
    smpp->add_option("--seconds", opts->seconds, "seconds per server (at most)")
        ->capture_default_str();
    smpp->add_option("--target", opts->target, "both, ours or node")
        ->capture_default_str()
        ->check(CLI::IsMember({"both", "ours", "node"}));
    smpp->add_option("--server", opts->server,
                     "run our server in-process (its own thread) or spawn `ussdgw run`")
        ->capture_default_str()
        ->check(CLI::IsMember({"in-process", "spawn"}));
    smpp->add_option("--port", opts->port,
                     "load an already running server on 127.0.0.1:PORT instead of spawning ours");
    smpp->add_option("--system-id", opts->system_id, "account for --port")->capture_default_str();
    smpp->add_option("--password", opts->password, "password for --port");
    smpp->add_option("--node", opts->node, "node executable")->capture_default_str();
    smpp->add_option("--node-script", opts->node_script, "path of scripts/node/bench-server.js");
    smpp->add_option("--text", opts->text, "short_message text")->capture_default_str();
    smpp->add_flag("--keep-logs", opts->keep_logs, "keep the servers' logs in /tmp");
    smpp->callback([opts, &ctx] {
        signal(SIGPIPE, SIG_IGN);
        log::set_level(log::Level::warn);  // the in-process server's per-bind lines
        ctx.exit_code = run_bench(*opts);
    });
}

}  // namespace ussdgw::cli
