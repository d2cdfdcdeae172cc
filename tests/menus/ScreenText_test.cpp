// menus/ScreenText: the screen limits, placeholders and the paging of menu options.
#include "menus/ScreenText.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace screen_text_test {

using namespace ussdgw;
using namespace ussdgw::menus;

namespace {
std::vector<Option> numbered(int n, const std::string& label) {
    std::vector<Option> out;
    for (int i = 1; i <= n; ++i)
        out.push_back(Option{std::to_string(i), {{"en", label}}, "next"});
    return out;
}
}  // namespace

TEST_CASE("measure_screen: GSM 7-bit up to 182 septets, else UCS2 up to 80 units") {
    CHECK(measure_screen(std::string(182, 'a')).fits());
    CHECK_FALSE(measure_screen(std::string(183, 'a')).fits());
    auto euro = measure_screen("€");
    CHECK(euro.encoding == gsm::Encoding::gsm7);
    CHECK(euro.length == 2);
    auto cyr = measure_screen("жa");
    CHECK(cyr.encoding == gsm::Encoding::ucs2);
    CHECK(cyr.length == 2);
    CHECK(cyr.limit == kMaxUcs2Screen);
}

TEST_CASE("placeholders: known names only, substituted and cut to their width") {
    auto names = placeholders_of("Hi {msisdn}, {attempts_left} left");
    REQUIRE(names);
    CHECK(*names == std::vector<std::string>{"msisdn", "attempts_left"});
    CHECK_FALSE(placeholders_of("{pin}"));
    CHECK_FALSE(placeholders_of("{msisdn"));
    CHECK(substitute("to {target}.", {{"target", "375291234567"}}) == "to 375291234567.");
    CHECK(substitute("to {target}.", {{"target", std::string(20, '9')}}) ==
          "to " + std::string(15, '9') + ".");
    CHECK(substitute("to {target}.", {}) == "to .");
    CHECK(widest("{target}").size() == 15);
}

TEST_CASE("paging: options fill each page; the last page has no more line") {
    auto options = numbered(30, "An option with a long label");
    auto pages = paginate("Header", options, "en", "#", "More");
    REQUIRE(pages);
    REQUIRE(pages->size() > 1);
    std::size_t next = 0;
    for (std::size_t i = 0; i < pages->size(); ++i) {
        const Page& p = (*pages)[i];
        CAPTURE(i);
        CHECK(p.first == next);
        CHECK(p.count > 0);
        next += p.count;
        CHECK(p.more == (i + 1 < pages->size()));
        std::string text = menu_page_text(i == 0 ? "Header" : "", options, p, "en", "#", "More");
        CHECK(measure_screen(text).fits());
        CHECK((text.find("\n# More") != std::string::npos) == p.more);
        CHECK((text.rfind("Header\n", 0) == 0) == (i == 0));
        if (p.more) {
            // Full: one more option would not fit.
            Page bigger{p.first, p.count + 1, true};
            CHECK_FALSE(measure_screen(menu_page_text(i == 0 ? "Header" : "", options, bigger, "en",
                                                      "#", "More"))
                            .fits());
        }
    }
    CHECK(next == options.size());
}

TEST_CASE("paging: a short menu is one page; nothing fits is nullopt") {
    auto options = numbered(3, "Short");
    auto pages = paginate("Header", options, "en", "#", "More");
    REQUIRE(pages);
    REQUIRE(pages->size() == 1);
    CHECK((*pages)[0].count == 3);
    CHECK_FALSE((*pages)[0].more);
    CHECK(menu_page_text("Header", options, (*pages)[0], "en", "#", "More") ==
          "Header\n1 Short\n2 Short\n3 Short");
    // A header that leaves no room for an option and the more line.
    CHECK_FALSE(paginate(std::string(175, 'h'), numbered(2, "Label"), "en", "#", "More"));
}

}  // namespace screen_text_test
