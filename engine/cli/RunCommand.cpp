#include <csignal>
#include <cstdio>

#include "engine/base/Log.hpp"
#include "engine/cli/Commands.hpp"
#include "engine/config/EngineConfig.hpp"

namespace ussdgw::cli {

void register_run_commands(CLI::App& app, CliContext& ctx) {
    auto* check = app.add_subcommand("check-config", "validate the configuration and exit");
    check->callback([&ctx] {
        auto cfg = config::load_engine_config(ctx.config_path);
        std::printf("%s: ok\n", cfg.file.c_str());
    });

    auto* run = app.add_subcommand("run", "run the engine until SIGINT or SIGTERM");
    run->callback([&ctx] {
        auto cfg = config::load_engine_config(ctx.config_path);
        log::set_level(cfg.log.level);
        log::info("engine.start", "config", cfg.file);
        // The engine wiring (SMPP links, storage, menus) is added by the layers' issues.
        log::info("engine.stop");
    });
}

}  // namespace ussdgw::cli
