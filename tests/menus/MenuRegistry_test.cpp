// menus/MenuRegistry: reloading a menu directory while dialogues are open.
#include "menus/MenuRegistry.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "SampleMenus.hpp"
#include "menus/UssdDialogue.hpp"

namespace menu_registry_test {

using namespace ussdgw;
using namespace ussdgw::menus;
using namespace ussdgw::menus::test;
using namespace std::chrono_literals;

namespace {
const TimePoint t0 = TimePoint{} + 1h;
}  // namespace

TEST_CASE("reload while dialogues are open: old dialogues keep their version") {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("ussdgw-menus-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    auto write = [&](const std::string& text) {
        std::ofstream(dir / "menus.toml", std::ios::trunc) << text;
    };
    write(simple_menus("Hello v1"));
    MenuRegistry registry(dir.string());
    CHECK_FALSE(registry.current());
    auto v1 = registry.reload();
    REQUIRE(v1.ok());
    CHECK(*v1 == 1);

    UssdDialogue old(registry.current(), DialogueSettings{});
    CHECK(old.begin("1", "*100#", "", t0).text == "Hello v1\n1 PIN\n2 Bye");

    write(simple_menus("Hello v2"));
    auto v2 = registry.reload();
    REQUIRE(v2.ok());
    CHECK(*v2 == 2);
    CHECK(registry.current()->version == 2);

    // The open dialogue goes on with v1 texts; a new one gets v2.
    CHECK(old.answer("9", t0).text == "Hello v1\n1 PIN\n2 Bye");
    CHECK(old.menus().version == 1);
    UssdDialogue fresh(registry.current(), DialogueSettings{});
    CHECK(fresh.begin("1", "*100#", "", t0).text == "Hello v2\n1 PIN\n2 Bye");

    // A broken file is reported and the current set stays.
    write(simple_menus("Hello v3") + "\n[screens.oops]\ntype = \"menu\"\n");
    auto bad = registry.reload();
    REQUIRE_FALSE(bad.ok());
    std::string v3 = simple_menus("Hello v3");
    auto oops_line = 2 + std::count(v3.begin(), v3.end(), '\n');
    CHECK(bad.error().front().what() ==
          fmt::format("{}:{}: key 'screens.oops.text': is required (a text: a string or {{ ru = "
                      "\"...\", ... }})",
                      (dir / "menus.toml").string(), oops_line));
    CHECK(registry.current()->version == 2);
    UssdDialogue after(registry.current(), DialogueSettings{});
    CHECK(after.begin("1", "*100#", "", t0).text == "Hello v2\n1 PIN\n2 Bye");
    CHECK(old.answer("2", t0).text == "Bye");
    fs::remove_all(dir);
}

}  // namespace menu_registry_test
