// menus/DomainAction: the actions the menus may ask for, by name and kind, and the text
// fields an outcome may carry.
#include "menus/DomainAction.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

namespace domain_action_test {

using namespace ussdgw::menus;

TEST_CASE("every action is found by its name and by its kind") {
    std::set<std::string_view> names;
    for (const ActionSpec& spec : action_specs()) {
        CAPTURE(spec.name);
        CHECK(names.insert(spec.name).second);
        REQUIRE(find_action(spec.name) == &spec);
        CHECK(&spec_of(spec.kind) == &spec);
        CHECK(to_string(spec.kind) == spec.name);
        // Every action may fail in the common ways.
        CHECK(std::find(spec.outcomes.begin(), spec.outcomes.end(), outcome::error) !=
              spec.outcomes.end());
    }
    CHECK_FALSE(find_action("open_acess"));
    const ActionSpec& open = *find_action("open_access");
    CHECK(open.params == std::vector<std::string_view>{"puk"});
    CHECK(std::find(open.outcomes.begin(), open.outcomes.end(), outcome::puk_wrong) !=
          open.outcomes.end());
}

TEST_CASE("text fields have the widths the screens are checked with") {
    REQUIRE(find_text_field("target"));
    CHECK(find_text_field("target")->max_width == 15);
    CHECK(find_text_field("attempts_left")->max_width == 3);
    CHECK(find_text_field("until")->max_width == 16);
    CHECK_FALSE(find_text_field("pin"));
    CHECK(text_fields().size() == 5);
}

}  // namespace domain_action_test
