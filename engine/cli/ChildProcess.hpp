// Helpers of the benchmark commands: child processes (a spawned `ussdgw run`, a node server
// or application) with stdin/stdout on pipes and stderr in a file, what /proc tells about
// them (CPU time, resident and peak memory), the file system a directory is on, free loopback
// ports, and the paths of files of the source tree wherever the command is started from.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ussdgw::cli {

// A child process with its stdin and stdout on pipes and stderr in a file.
struct Child {
    pid_t pid = -1;   // -1 once the child is reaped (its pid may then belong to another)
    int in_fd = -1;   // write end of the child's stdin
    int out_fd = -1;  // read end of the child's stdout
    std::string stderr_path;
    int exit_status = -1;  // the wait status, once reaped

    // False once the child has exited (it is reaped then: pid becomes -1).
    bool running();
    // SIGTERM, up to `grace` for it to exit, then SIGKILL; closes the pipes. Returns the
    // wait status (that of an exit `running` already saw; -1 if there was no child).
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // SIGKILL now and reap.
    void kill_now();
    std::string stderr_text() const;
};

std::optional<Child> spawn_child(const std::vector<std::string>& argv, const std::string& err_path);

// Reads the child's stdout until a line starts with `prefix`; returns the rest of it.
std::optional<std::string> read_line_with(Child& c, const std::string& prefix,
                                          std::chrono::milliseconds limit);

// What /proc/<pid> says of a process (zeros when it is gone).
struct ProcessUsage {
    double cpu_seconds = 0;  // user + system, all threads
    std::uint64_t rss_kib = 0, hwm_kib = 0;
    std::uint64_t anon_kib = 0;  // RssAnon: the heap, not file pages (SQLite's mmap)
};
ProcessUsage process_usage(pid_t pid);

std::uint16_t free_port();
bool port_accepts(std::uint16_t port);
// The type of the file system `dir` is on (statfs): "tmpfs", "ext4", "xfs", ... or its magic
// number in hex; "unknown" when statfs fails. The benchmarks name where a database lives
// ("tmpfs" makes every fsync free).
std::string filesystem_name(const std::filesystem::path& dir);
// This executable's path (/proc/self/exe).
std::string self_path();
// A file of the source tree: relative to the working directory, else beside the build
// directory the binary is in (build/, build-x/ sit in the source tree).
std::string source_file(const std::filesystem::path& rel);

}  // namespace ussdgw::cli
