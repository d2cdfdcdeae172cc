#include "engine/config/MenuSection.hpp"

namespace ussdgw::config {

menus::MenuConfig parse_menu_section(const TomlTable& t) {
    using std::chrono::milliseconds;
    using namespace std::chrono_literals;
    menus::MenuConfig c;
    c.directory = t.string("directory", c.directory);
    c.dialogue.step_timeout =
        t.duration("step_timeout", c.dialogue.step_timeout, milliseconds(1s), milliseconds(15min));
    c.dialogue.dialogue_timeout = t.duration("dialogue_timeout", c.dialogue.dialogue_timeout,
                                             milliseconds(1s), milliseconds(1h));
    if (c.dialogue.dialogue_timeout < c.dialogue.step_timeout)
        t.fail("dialogue_timeout", "must not be shorter than step_timeout");
    c.dialogue.default_language = t.choice("default_language", {"ru", "en", "be"}, "ru");
    t.finish();
    return c;
}

}  // namespace ussdgw::config
