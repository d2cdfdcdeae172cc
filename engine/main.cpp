// ussdgw: USSD and SMS gateway engine. See README.md.
#include <cstdio>
#include <exception>

#include "engine/cli/Commands.hpp"
#include "engine/config/ConfigReader.hpp"

int main(int argc, char** argv) {
    CLI::App app{"ussdgw: USSD and SMS gateway engine for the self-service cabinet"};
    app.require_subcommand(1);
    ussdgw::cli::CliContext ctx;
    app.add_option("-c,--config", ctx.config_path, "configuration file")->capture_default_str();
    app.add_subcommand("version", "print the version")->callback([] { std::puts("ussdgw 0.1.0"); });
    ussdgw::cli::register_run_commands(app, ctx);
    ussdgw::cli::register_smpp_commands(app, ctx);
    ussdgw::cli::register_storage_commands(app, ctx);
    ussdgw::cli::register_menu_commands(app, ctx);
    ussdgw::cli::register_api_commands(app, ctx);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const ussdgw::config::ConfigError& e) {
        std::fprintf(stderr, "ussdgw: configuration error: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ussdgw: %s\n", e.what());
        return 1;
    }
    return ctx.exit_code;
}
