#include <doctest/doctest.h>

#include "engine/base/TomlReader.hpp"
#include "engine/config/EngineConfig.hpp"

using namespace ussdgw;
using namespace ussdgw::config;
using namespace std::chrono_literals;

namespace {
std::string error_of(std::string_view text) {
    try {
        auto doc = parse_toml(text, "conf/test.toml");
        parse_engine_config(doc);
    } catch (const TomlError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("a syntax error names the file and line") {
    CHECK(error_of("[log]\nlevel = \"info\"\nlevel2 = = 3\n")
              .rfind("conf/test.toml:3: TOML syntax error", 0) == 0);
}

TEST_CASE("an unknown key names file, line and dotted key") {
    CHECK(error_of("[log]\nlevel = \"info\"\nlevle = \"debug\"\n") ==
          "conf/test.toml:3: key 'log.levle': unknown key");
    CHECK(error_of("\n\n[nosuchsection]\nx = 1\n") ==
          "conf/test.toml:3: key 'nosuchsection': unknown key");
}

TEST_CASE("a bad value names the key and the allowed values") {
    CHECK(error_of("[log]\nlevel = \"loud\"\n") ==
          "conf/test.toml:2: key 'log.level': 'loud' is not one of: debug, info, warn, error, off");
    CHECK(error_of("[log]\nlevel = 3\n") == "conf/test.toml:2: key 'log.level': must be a string");
}

TEST_CASE("typed getters check ranges, durations and arrays of tables") {
    auto doc = parse_toml(R"(
[a]
port = 70000
timeout = "30s"
bad = "30 parsecs"
[[a.links]]
name = "x"
[[a.links]]
name = 5
)",
                          "t.toml");
    auto root = TomlTable::root(doc);
    auto a = *root.table("a");
    CHECK_THROWS_WITH(a.integer("port", 2775, 1, 65535),
                      "t.toml:3: key 'a.port': 70000 is out of range (allowed 1 to 65535)");
    CHECK(a.duration("timeout", 1s) == 30s);
    CHECK(a.duration("missing", 7s) == 7s);
    CHECK_THROWS_WITH(a.duration("bad", 1s),
                      "t.toml:5: key 'a.bad': '30 parsecs' is not a duration (use a number with "
                      "ms, s, m, h or d)");
    auto links = a.tables("links");
    REQUIRE(links.size() == 2);
    CHECK(links[0].string("name") == "x");
    CHECK_THROWS_WITH(links[1].string("name"), "t.toml:9: key 'a.links[1].name': must be a string");
    CHECK_THROWS_WITH(links[0].string("host"),
                      "t.toml:6: key 'a.links[0].host': is required (a string)");
}

TEST_CASE("parse_duration") {
    CHECK(parse_duration("250ms") == 250ms);
    CHECK(parse_duration("15m") == 15min);
    CHECK(parse_duration("1h") == 1h);
    CHECK_FALSE(parse_duration("").has_value());
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("5").has_value());
    CHECK_FALSE(parse_duration("99999999999999999d").has_value());
}

TEST_CASE("the shipped configuration is valid") {
    auto cfg = load_engine_config(USSDGW_SOURCE_DIR "/conf/ussdgw.toml");
    CHECK(cfg.file.find("ussdgw.toml") != std::string::npos);
}
