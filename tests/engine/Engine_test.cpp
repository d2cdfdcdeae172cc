// A whole Engine in the test process (Engine.cpp wires and routes): it starts on the shipped
// configuration and reports its readiness (database and menus ready, a required client link
// that is down named with the reason), it keeps its menus when a reload finds a broken file,
// and it stops with every listener closed. (Routing of real PDUs and HTTP requests through a
// running engine: tests/interop/.)
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "RunningEngineTestSupport.hpp"

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

const http::ReadinessCheck* find_check(const std::vector<http::ReadinessCheck>& checks,
                                       const std::string& prefix) {
    for (const auto& c : checks)
        if (c.name.rfind(prefix, 0) == 0) return &c;
    return nullptr;
}

}  // namespace

TEST_CASE("Engine: ready but for a required client link that is down") {
    RunningEngine e;
    auto checks = e.engine->readiness();
    const auto* db = find_check(checks, "database");
    REQUIRE(db);
    CHECK(db->ok);
    const auto* menus = find_check(checks, "menus");
    REQUIRE(menus);
    CHECK(menus->ok);
    const auto* link = find_check(checks, "smpp.link.");
    REQUIRE(link);  // the shipped client link is required
    CHECK_FALSE(link->ok);
    CHECK_FALSE(link->detail.empty());
    REQUIRE(e.engine->http());
}

TEST_CASE("Engine: a link that is not required does not hold readiness back") {
    RunningEngine e(
        std::vector<std::pair<std::string, std::string>>{{"required = true", "required = false"}});
    for (const auto& c : e.engine->readiness()) {
        CAPTURE(c.name);
        CAPTURE(c.detail);
        CHECK(c.ok);
    }
}

TEST_CASE("Engine: a reload that finds a broken menu file keeps the menus it has") {
    storage::test::TempDir menus;
    std::filesystem::copy(USSDGW_SOURCE_DIR "/menus/cabinet", menus.path,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    RunningEngine e({}, menus.path.string());
    REQUIRE(e.engine->reload_menus().ok());
    std::string broken;
    for (const auto& f : std::filesystem::directory_iterator(menus.path))
        if (f.path().extension() == ".toml") broken = f.path().string();
    REQUIRE_FALSE(broken.empty());
    std::ofstream(broken, std::ios::app) << "\n[[[ not toml\n";
    auto reloaded = e.engine->reload_menus();
    CHECK_FALSE(reloaded.ok());
    const auto after = e.engine->readiness();
    const auto* m = find_check(after, "menus");
    REQUIRE(m);
    CHECK(m->ok);
}
