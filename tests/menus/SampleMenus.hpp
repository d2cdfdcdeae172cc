// A small menu set written inline, for the engine tests: the [menu] header and messages,
// plus whatever screens a test adds.
#pragma once

#include <string>

namespace ussdgw::menus::test {

inline std::string menu_header(const std::string& languages = R"(["en", "ru"])") {
    return "[menu]\nlanguages = " + languages + R"(
default_language = "en"
more_key = "#"

[menu.messages]
more = { en = "More", ru = "Ещё" }
invalid_request = { en = "Invalid request", ru = "Неверный запрос" }
unknown_service = "Unknown service"
too_many_errors = "Too many errors"
service_unavailable = "Service unavailable"
timeout = { en = "Timed out", ru = "Время истекло" }
)";
}

inline std::string simple_menus(const std::string& hello_en = "Hello") {
    return menu_header() + R"(
[[service_codes]]
code = "*100#"
start = "main"

[[service_codes]]
code = "*100*7#"
start = "main"
language = "ru"

[screens.main]
type = "menu"
text = { en = ")" +
           hello_en + R"(", ru = "Привет" }
options = [
  { key = "1", next = "ask", label = "PIN" },
  { key = "2", next = "bye", label = { en = "Bye", ru = "Пока" } },
]

[screens.ask]
type = "input"
text = "Enter PIN:"
save_as = "puk"
secret = true
min_length = 4
max_length = 8
next = "check"

[screens.check]
type = "action"
action = "open_access"
with = { puk = "puk" }
outcomes = { ok = "bye", default = "bye" }

[screens.bye]
type = "final"
text = { en = "Bye", ru = "Пока" }
)";
}

}  // namespace ussdgw::menus::test
