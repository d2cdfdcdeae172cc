// Which request paths map to which files of the page's directory.
#include "engine/http/StaticFiles.hpp"

#include <doctest/doctest.h>

namespace static_files_test {

using namespace ussdgw::http;

TEST_CASE("page paths stay inside the directory") {
    CHECK(static_file_path("web", "/") == std::optional<std::string>("web/index.html"));
    CHECK(static_file_path("web", "/style.css") == std::optional<std::string>("web/style.css"));
    CHECK(static_file_path("web", "/js/app.js") == std::optional<std::string>("web/js/app.js"));
    for (const char* bad :
         {"/..", "/../etc/passwd", "/js/../../x.js", "/.git/config", "/.env", "/js/", "//x.js",
          "/a/b/c.js", "/x.sh", "/index", "/a%2fb.js", "/x y.js", "/js/.hidden.js", "relative.js"})
        CHECK_MESSAGE(!static_file_path("web", bad), bad);
}

TEST_CASE("content types by extension") {
    CHECK(static_content_type("a.js") == "text/javascript; charset=utf-8");
    CHECK(static_content_type("a.mjs") == "text/javascript; charset=utf-8");
    CHECK(static_content_type("index.html") == "text/html; charset=utf-8");
    CHECK(static_content_type("s.css") == "text/css; charset=utf-8");
    CHECK(static_content_type("f.svg") == "image/svg+xml");
    CHECK(static_content_type("x.exe").empty());
    CHECK(static_content_type("noext").empty());
}

}  // namespace static_files_test
