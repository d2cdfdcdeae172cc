// The benchmark commands' child processes (ChildProcess): real children (/bin/sh) with their
// stdin and stdout on pipes and stderr in a file, a line waited for with a deadline, a
// child that ignores SIGTERM killed after the grace, what /proc says of a process, and
// loopback ports.
#include "engine/cli/ChildProcess.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <csignal>
#include <filesystem>
#include <thread>

#include "storage/StorageTestSupport.hpp"

namespace child_process_test {

using namespace ussdgw::cli;
using namespace std::chrono_literals;

TEST_CASE("ChildProcess: a child talks over its pipes and exits when its stdin closes") {
    ussdgw::storage::test::TempDir dir;
    auto c =
        spawn_child({"sh", "-c", "echo noise; echo ready 42; read x; echo got $x; echo oops >&2"},
                    dir.file("err.txt"));
    REQUIRE(c.has_value());
    CHECK(c->running());
    CHECK(read_line_with(*c, "ready ", 5s) == "42");  // the lines before it are skipped
    const std::string hello = "hello\n";
    REQUIRE(write(c->in_fd, hello.data(), hello.size()) == static_cast<ssize_t>(hello.size()));
    CHECK(read_line_with(*c, "got ", 5s) == "hello");
    CHECK_FALSE(read_line_with(*c, "never ", 5s).has_value());  // it exited: end of file
    // Once it has exited, running() reaps it: its pid is forgotten (it may be reused), and
    // stop() signals nobody and returns the status it saw.
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (c->running() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(5ms);
    CHECK(c->pid == -1);
    const int status = c->stop();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(c->stderr_text() == "oops\n");
    CHECK_FALSE(c->running());
}

TEST_CASE("ChildProcess: a child that ignores SIGTERM is killed after the grace") {
    ussdgw::storage::test::TempDir dir;
    auto c = spawn_child({"sh", "-c", "trap '' TERM; echo up; exec sleep 30"}, dir.file("err"));
    REQUIRE(c.has_value());
    REQUIRE(read_line_with(*c, "up", 5s).has_value());
    const auto t0 = std::chrono::steady_clock::now();
    const int status = c->stop(100ms);
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    CHECK(c->pid == -1);
    CHECK(c->in_fd == -1);
    CHECK(c->stop() == status);  // reaped already: the same status, nobody signalled
}

TEST_CASE("ChildProcess: a program that does not exist is no child") {
    ussdgw::storage::test::TempDir dir;
    CHECK_FALSE(spawn_child({"/nonexistent/ussdgw-no-such-program"}, dir.file("err")).has_value());
}

TEST_CASE("ChildProcess: usage from /proc, ports, and the source tree's files") {
    auto self = process_usage(getpid());
    CHECK(self.rss_kib > 0);
    CHECK(self.hwm_kib >= self.rss_kib);
    CHECK(self.anon_kib > 0);
    CHECK(self.cpu_seconds >= 0);
    ussdgw::storage::test::TempDir dir;
    auto c = spawn_child({"sh", "-c", "exit 0"}, dir.file("err"));
    REQUIRE(c.has_value());
    const pid_t gone = c->pid;
    c->stop();
    CHECK(process_usage(gone).rss_kib == 0);  // reaped: nothing to read

    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor listening(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    CHECK(port_accepts(listening.local_endpoint().port()));
    const std::uint16_t port = free_port();
    CHECK(port != 0);
    CHECK_FALSE(port_accepts(port));  // free: nothing listens there

    // /proc is procfs (0x9FA0), never one of the named ones; a missing path is "unknown".
    CHECK(filesystem_name("/proc") == "0x9FA0");
    CHECK(filesystem_name(dir.file("missing")) == "unknown");

    // The tests run in the source tree (WORKING_DIRECTORY).
    CHECK(source_file("conf/ussdgw.toml") ==
          std::filesystem::absolute("conf/ussdgw.toml").string());
    CHECK(self_path().find("test_engine") != std::string::npos);
}

}  // namespace child_process_test
