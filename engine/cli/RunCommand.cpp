#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <memory>

#include "engine/Engine.hpp"
#include "engine/base/Log.hpp"
#include "engine/cli/Commands.hpp"
#include "engine/config/EngineConfig.hpp"

namespace ussdgw::cli {

namespace {
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
    auto* check = app.add_subcommand("check-config", "validate the configuration and exit");
    check->callback([&ctx] {
        auto cfg = config::load_engine_config(ctx.config_path);
        std::printf("%s: ok\n", cfg.file.c_str());
    });

    auto* run = app.add_subcommand("run", "run the engine until SIGINT or SIGTERM");
    auto run_for = std::make_shared<double>(0);
    run->add_option("--for", *run_for, "exit cleanly after this many seconds (0 = until a signal)")
        ->check(CLI::NonNegativeNumber);
    run->callback([&ctx, run_for] {
        auto cfg = config::load_engine_config(ctx.config_path);
        log::set_level(cfg.log.level);
        log::info("engine.start", "config", cfg.file);
        raise_file_limit();
        boost::asio::io_context io;
        Engine engine(io, cfg);
        engine.start();
        // SIGHUP reloads the menus; dialogues in flight finish on the version they began on.
        boost::asio::signal_set hup(io, SIGHUP);
        std::function<void()> wait_hup = [&] {
            hup.async_wait([&](const boost::system::error_code& ec, int) {
                if (ec) return;
                (void)engine.reload_menus();
                wait_hup();
            });
        };
        wait_hup();
        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        boost::asio::steady_timer run_timer(io);
        bool stopping = false;
        auto shutdown = [&](const char* why) {
            if (stopping) return;
            stopping = true;
            log::info("engine.stopping", "reason", why);
            signals.cancel();
            hup.cancel();
            run_timer.cancel();
            engine.stop([&io] { io.stop(); });
        };
        signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (!ec) shutdown("signal");
        });
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
