// `ussdgw menus check` and `ussdgw menus try`, run in-process.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/cli/CliTestSupport.hpp"

namespace menu_commands_test {

using namespace ussdgw::cli;

namespace {
int run(std::vector<std::string> args) {
    return ussdgw::test::run_cli(register_menu_commands, USSDGW_SOURCE_DIR "/conf/ussdgw.toml",
                                 std::move(args));
}
}  // namespace

TEST_CASE("menus check: the cabinet is valid; a broken directory exits 2") {
    CHECK(run({"menus", "check", USSDGW_SOURCE_DIR "/menus/cabinet"}) == 0);
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("ussdgw-menucheck-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "bad.toml") << "[menu]\nlanguages = [\"ru\"]\n";
    CHECK(run({"menus", "check", dir.string()}) == 2);
    fs::remove_all(dir);
    CHECK(run({"menus", "check", "/nonexistent/dir"}) == 2);
}

TEST_CASE("menus try walks a dialogue against the demo domain") {
    CHECK(run({"menus", "try", "375291234567", "*141*3*6#", "1", "1", "--dir",
               USSDGW_SOURCE_DIR "/menus/cabinet"}) == 0);
    // An answer after the dialogue ended is reported.
    CHECK(run({"menus", "try", "375291234567", "*141*0#", "1"}) == 1);
}

}  // namespace menu_commands_test
