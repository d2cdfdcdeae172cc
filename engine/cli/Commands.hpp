// The `ussdgw` command line: each layer registers its subcommands on the CLI11 app.
// A registered callback returns the process exit code through `CliContext::exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "menus/MenuSet.hpp"

namespace ussdgw::cli {

struct CliContext {
    std::string config_path = "conf/ussdgw.toml";
    int exit_code = 0;
};

// Loads a menu directory; on errors prints every one (file:line: key) to stderr, sets exit
// code 2 and returns null (menus check, menus try, check-config).
menus::MenuSetPtr load_menus_or_report(const std::string& dir, CliContext& ctx);

void register_run_commands(CLI::App& app, CliContext& ctx);   // run, config check
void register_smpp_commands(CLI::App& app, CliContext& ctx);  // bench smpp, ...
void register_storage_commands(CLI::App& app,
                               CliContext& ctx);              // subscribers, access, bench storage
void register_menu_commands(CLI::App& app, CliContext& ctx);  // menus check, menus try
void register_api_commands(CLI::App& app, CliContext& ctx);   // api token, api routes, calls
void register_ussd_bench_command(CLI::App& app, CliContext& ctx);  // bench ussd

}  // namespace ussdgw::cli
