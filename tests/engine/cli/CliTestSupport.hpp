// Helpers for the command line tests: one `ussdgw` command run in-process.
#pragma once

#include <string>
#include <vector>

#include "engine/cli/Commands.hpp"

namespace ussdgw::test {

// Runs `ussdgw ARGS...` with the commands `register_commands` adds and the configuration
// file `config_path`; returns the exit code the command set.
template <typename Register>
int run_cli(Register register_commands, const std::string& config_path,
            std::vector<std::string> args) {
    CLI::App app{"test"};
    cli::CliContext ctx;
    ctx.config_path = config_path;
    register_commands(app, ctx);
    args.insert(args.begin(), "ussdgw");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return ctx.exit_code;
}

}  // namespace ussdgw::test
