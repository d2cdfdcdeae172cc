#include <doctest/doctest.h>

#include "engine/config/EngineConfig.hpp"

using namespace ussdgw;
using namespace ussdgw::config;
using namespace std::chrono_literals;

namespace {
std::string error_of(std::string_view text) {
    try {
        parse_engine_config(parse_toml(text, "conf/test.toml"));
    } catch (const TomlError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("[menus] defaults and values") {
    auto none = parse_engine_config(parse_toml("", "t.toml"));
    CHECK(none.menus.directory == "menus/cabinet");
    CHECK(none.menus.dialogue.step_timeout == 30s);
    CHECK(none.menus.dialogue.dialogue_timeout == 180s);
    auto c = parse_engine_config(parse_toml(R"(
[menus]
directory = "conf/menus"
step_timeout = "15s"
dialogue_timeout = "2m"
default_language = "be"
)",
                                            "t.toml"));
    CHECK(c.menus.directory == "conf/menus");
    CHECK(c.menus.dialogue.step_timeout == 15s);
    CHECK(c.menus.dialogue.dialogue_timeout == 120s);
    CHECK(c.menus.dialogue.default_language == "be");
}

TEST_CASE("[menus] errors name file, line and key") {
    CHECK(error_of("[menus]\nstep_timeout = \"30\"\n") ==
          "conf/test.toml:2: key 'menus.step_timeout': '30' is not a duration (use a number "
          "with ms, s, m, h or d)");
    CHECK(error_of("[menus]\nstep_timeout = \"60s\"\ndialogue_timeout = \"30s\"\n") ==
          "conf/test.toml:3: key 'menus.dialogue_timeout': must not be shorter than "
          "step_timeout");
    CHECK(error_of("[menus]\ndefault_language = \"de\"\n") ==
          "conf/test.toml:2: key 'menus.default_language': 'de' is not one of: ru, en, be");
    CHECK(error_of("[menus]\n\ndirectry = \"x\"\n") ==
          "conf/test.toml:3: key 'menus.directry': unknown key");
}

TEST_CASE("the shipped conf/ussdgw.toml has a valid [menus] section") {
    auto c = load_engine_config(USSDGW_SOURCE_DIR "/conf/ussdgw.toml");
    CHECK(c.menus.directory == "menus/cabinet");
}
