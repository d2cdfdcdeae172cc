#include "engine/cli/Commands.hpp"

namespace ussdgw::cli {

void register_storage_commands(CLI::App& /*app*/, CliContext& /*ctx*/) {}

}  // namespace ussdgw::cli
