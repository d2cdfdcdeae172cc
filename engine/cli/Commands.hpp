// The `ussdgw` command line: each layer registers its subcommands on the CLI11 app.
// A registered callback returns the process exit code through `CliContext::exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace ussdgw::cli {

struct CliContext {
    std::string config_path = "conf/ussdgw.toml";
    int exit_code = 0;
};

void register_run_commands(CLI::App& app, CliContext& ctx);   // run, config check
void register_smpp_commands(CLI::App& app, CliContext& ctx);  // bench smpp, ...
void register_storage_commands(CLI::App& app,
                               CliContext& ctx);              // subscribers, access, bench storage
void register_menu_commands(CLI::App& app, CliContext& ctx);  // menus check, menus try
void register_api_commands(CLI::App& app, CliContext& ctx);   // api token, api routes, calls

}  // namespace ussdgw::cli
