// engine/base/TomlReader: typed getters with file/line/key errors, unknown keys, and
// TomlErrors, which keeps every error of a reading.
#include "engine/base/TomlReader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace toml_reader_test {

using namespace ussdgw;
using namespace std::chrono_literals;

namespace {
std::string error_of(std::string_view text) {
    try {
        parse_toml(text, "conf/test.toml");
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

TEST_CASE("a required string must be present and not empty; choice lists what is allowed") {
    auto doc = parse_toml("[a]\nname = \"\"\nmode = \"loud\"\n", "t.toml");
    auto a = *TomlTable::root(doc).table("a");
    CHECK_THROWS_WITH(a.string("name"), "t.toml:2: key 'a.name': must not be empty");
    CHECK(a.string("name", "x").empty());  // with a fallback an empty string is a value
    CHECK_THROWS_WITH(a.choice("mode", {"quiet", "normal"}, "normal"),
                      "t.toml:3: key 'a.mode': 'loud' is not one of: quiet, normal");
    CHECK(a.choice("other", {"quiet", "normal"}, "normal") == "normal");
}

TEST_CASE("unknown_keys names every key no getter read, each at its own line") {
    auto doc = parse_toml("[a]\nport = 1\nprot = 2\nhots = \"x\"\n", "t.toml");
    auto a = *TomlTable::root(doc).table("a");
    CHECK(a.integer("port", 0, 0, 10) == 1);
    auto unknown = a.unknown_keys("a takes port");
    REQUIRE(unknown.size() == 2);
    std::vector<std::string> got{unknown[0].what(), unknown[1].what()};
    std::sort(got.begin(), got.end());
    CHECK(got[0] == "t.toml:3: key 'a.prot': unknown key (a takes port)");
    CHECK(got[1] == "t.toml:4: key 'a.hots': unknown key (a takes port)");
    CHECK(unknown[0].key().rfind("a.", 0) == 0);
    CHECK_THROWS_AS(a.finish(), TomlError);
    // A key that failed counts as read: it is reported once, for what is wrong with it.
    auto doc2 = parse_toml("port = \"x\"\n", "t.toml");
    auto root = TomlTable::root(doc2);
    CHECK_THROWS(root.integer("port", 0, 0, 10));
    CHECK(root.unknown_keys().empty());
}

TEST_CASE("TomlErrors keeps every error, then orders them by file and line") {
    TomlErrors errors;
    auto doc = parse_toml("x = 1\ny = \"s\"\nz = true\n", "b.toml");
    auto root = TomlTable::root(doc);
    CHECK_FALSE(errors.check([&] { root.string("z"); }));
    CHECK(errors.check([&] { root.integer("x", 0, 0, 5); }));
    CHECK_FALSE(errors.check([&] { root.integer("y", 0, 0, 5); }));
    errors.add({"a.toml", 7, ""}, "first file");
    errors.add({"c.toml", 1, "k"}, "not in the order");
    CHECK(errors.size() == 4);
    auto sorted = std::move(errors).sorted({"a.toml", "b.toml"});
    REQUIRE(sorted.size() == 4);
    CHECK(std::string(sorted[0].what()) == "a.toml:7: first file");
    CHECK(std::string(sorted[1].what()) == "b.toml:2: key 'y': must be an integer from 0 to 5");
    CHECK(std::string(sorted[2].what()) == "b.toml:3: key 'z': must be a string");
    CHECK(std::string(sorted[3].what()) == "c.toml:1: key 'k': not in the order");
    CHECK(sorted[1].line() == 2);
    CHECK(sorted[1].message() == "must be an integer from 0 to 5");
}

TEST_CASE("a file that cannot be read is an error at line 0") {
    CHECK_THROWS_WITH(load_toml_file("/nonexistent/ussdgw.toml"),
                      "/nonexistent/ussdgw.toml:0: cannot open the file");
}

}  // namespace toml_reader_test
