// `ussdgw check-config` and `ussdgw run`: the engine on one event loop until SIGINT or
// SIGTERM (or `--for SECONDS`), SIGHUP reloading the menus.
//
// Signals are taken by a thread of their own with sigwait(), not by handlers: SIGINT,
// SIGTERM and SIGHUP are blocked before the engine starts any thread, so every thread
// inherits the mask and none of them ever meets the default action. However late a signal
// comes (a second SIGTERM a few milliseconds after the first, as `timeout` sends to a process
// group, while the engine is already closing), it is either taken by the watcher or left
// pending: a clean shutdown still exits 0.
#include <pthread.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>
#include <thread>

#include "engine/Engine.hpp"
#include "engine/base/Log.hpp"
#include "engine/cli/Commands.hpp"
#include "engine/config/EngineConfig.hpp"
#include "storage/HashProcess.hpp"

namespace ussdgw::cli {

namespace {

// Takes SIGINT, SIGTERM and SIGHUP on its own thread and hands each to `on_signal` (which
// runs on that thread). Construct it before any other thread starts.
class SignalWatcher {
  public:
    explicit SignalWatcher(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
        sigemptyset(&set_);
        for (int s : {SIGINT, SIGTERM, SIGHUP, kWake})
            sigaddset(&set_, s);
        pthread_sigmask(SIG_BLOCK, &set_, nullptr);
        thread_ = std::thread([this] { run(); });
    }
    // Stops the watcher. The signals stay blocked: one that comes now stays pending.
    ~SignalWatcher() {
        stopping_ = true;
        pthread_kill(thread_.native_handle(), kWake);
        thread_.join();
    }
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

  private:
    static constexpr int kWake = SIGUSR1;  // how the destructor wakes the thread

    void run() {
        while (!stopping_) {
            int sig = 0;
            if (sigwait(&set_, &sig) != 0 || stopping_) continue;
            if (sig != kWake) on_signal_(sig);
        }
    }

    sigset_t set_{};
    std::function<void(int)> on_signal_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

// Raises the soft limit on open files to the hard one (as Go and nginx do): every HTTP
// and SMPP connection is a descriptor, and a soft limit of 1024 is below max_connections.
void raise_file_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
    rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0)
        log::info("engine.file_limit", "was", before, "now", lim.rlim_cur);
}
}  // namespace

void register_run_commands(CLI::App& app, CliContext& ctx) {
    auto* check = app.add_subcommand(
        "check-config", "validate the configuration and the menu files it names, and exit");
    check->callback([&ctx] {
        auto cfg = config::load_engine_config(ctx.config_path);
        // The menu files it names are part of what `run` would load.
        if (!load_menus_or_report(cfg.menus.directory, ctx)) return;
        std::printf("%s: ok\n", cfg.file.c_str());
    });

    // The child side of storage/HashProcess: answers hash requests on stdin (not for people).
    auto* worker = app.add_subcommand("hash-worker", "");
    worker->group("");
    worker->callback([&ctx] { ctx.exit_code = storage::serve_hash_requests(0); });

    auto* run = app.add_subcommand("run", "run the engine until SIGINT or SIGTERM");
    auto run_for = std::make_shared<double>(0);
    run->add_option("--for", *run_for, "exit cleanly after this many seconds (0 = until a signal)")
        ->check(CLI::NonNegativeNumber);
    run->callback([&ctx, run_for] {
        auto cfg = config::load_engine_config(ctx.config_path);
        log::set_level(cfg.log.level);
        log::info("engine.start", "config", cfg.file);
        // Argon2id runs in child processes of this same executable (storage/HashProcess).
        cfg.storage.hash_process = {"/proc/self/exe", "hash-worker"};
        raise_file_limit();
        boost::asio::io_context io;
        std::function<void(int)> on_signal;  // runs on the loop, set once the engine runs
        SignalWatcher watcher([&io, &on_signal](int sig) {
            boost::asio::post(io, [sig, &on_signal] {
                if (on_signal) on_signal(sig);
            });
        });
        Engine engine(io, cfg);
        engine.start();
        boost::asio::steady_timer run_timer(io);
        bool stopping = false;
        auto shutdown = [&](const char* why) {
            if (stopping) return;
            stopping = true;
            log::info("engine.stopping", "reason", why);
            run_timer.cancel();
            engine.stop([&io] { io.stop(); });
        };
        on_signal = [&](int sig) {
            if (stopping) {
                log::info("engine.signal_ignored", "signal", sig, "reason", "stopping");
                return;
            }
            // SIGHUP reloads the menus; dialogues in flight finish on the version they began on.
            if (sig == SIGHUP)
                (void)engine.reload_menus();
            else
                shutdown("signal");
        };
        if (*run_for > 0) {
            run_timer.expires_after(std::chrono::milliseconds(static_cast<long>(*run_for * 1000)));
            run_timer.async_wait([&](const boost::system::error_code& ec) {
                if (!ec) shutdown("--for elapsed");
            });
        }
        io.run();
        log::info("engine.stop");
    });
}

}  // namespace ussdgw::cli
