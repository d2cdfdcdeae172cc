#include "engine/config/MenuSection.hpp"

#include <doctest/doctest.h>

#include "engine/config/ConfigTestSupport.hpp"

namespace menu_section_test {

using namespace ussdgw::config;
using namespace std::chrono_literals;

using ussdgw::test::config_error_of;
using ussdgw::test::parse_config;

TEST_CASE("[menus] defaults and values") {
    auto none = parse_config("");
    CHECK(none.menus.directory == "menus/cabinet");
    CHECK(none.menus.dialogue.step_timeout == 30s);
    CHECK(none.menus.dialogue.dialogue_timeout == 180s);
    auto c = parse_config(R"(
[menus]
directory = "conf/menus"
step_timeout = "15s"
dialogue_timeout = "2m"
default_language = "be"
)");
    CHECK(c.menus.directory == "conf/menus");
    CHECK(c.menus.dialogue.step_timeout == 15s);
    CHECK(c.menus.dialogue.dialogue_timeout == 120s);
    CHECK(c.menus.dialogue.default_language == "be");
}

TEST_CASE("[menus] errors name file, line and key") {
    CHECK(config_error_of("[menus]\nstep_timeout = \"30\"\n") ==
          "conf/t.toml:2: key 'menus.step_timeout': '30' is not a duration (use a number "
          "with ms, s, m, h or d)");
    CHECK(config_error_of("[menus]\nstep_timeout = \"60s\"\ndialogue_timeout = \"30s\"\n") ==
          "conf/t.toml:3: key 'menus.dialogue_timeout': must not be shorter than "
          "step_timeout");
    CHECK(config_error_of("[menus]\ndefault_language = \"de\"\n") ==
          "conf/t.toml:2: key 'menus.default_language': 'de' is not one of: ru, en, be");
    CHECK(config_error_of("[menus]\n\ndirectry = \"x\"\n") ==
          "conf/t.toml:3: key 'menus.directry': unknown key");
}

TEST_CASE("the shipped conf/ussdgw.toml has a valid [menus] section") {
    auto c = load_engine_config(USSDGW_SOURCE_DIR "/conf/ussdgw.toml");
    CHECK(c.menus.directory == "menus/cabinet");
}

}  // namespace menu_section_test
