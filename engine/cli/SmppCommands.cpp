#include "engine/cli/Commands.hpp"

namespace ussdgw::cli {

void register_smpp_commands(CLI::App& /*app*/, CliContext& /*ctx*/) {}

}  // namespace ussdgw::cli
