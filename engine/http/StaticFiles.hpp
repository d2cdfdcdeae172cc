// The web cabinet's static files (engine/web by default, [web] directory) served at "/": GET
// and HEAD of "/" (index.html), "/NAME" and "/DIR/NAME". A path segment is letters, digits,
// '.', '_' and '-' and does not start with a dot, so no path leaves the directory ("..",
// "%2e%2e", hidden files, symbolic links to elsewhere are refused with 404). Types by
// extension (.html, .js and .mjs as text/javascript, .css, .svg, .json, .png, .ico, .txt);
// other files are not served. Answers carry `Cache-Control: no-cache` (revalidated, so a new
// release is seen at once) and the server's security headers, whose Content-Security-Policy
// is default-src 'self'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/http/Router.hpp"

namespace ussdgw::http {

// The Content-Type of a file name, or "" when such files are not served.
std::string_view static_content_type(std::string_view name);
// The file under `directory` for a request path, or nullopt when the path is not allowed.
std::optional<std::string> static_file_path(std::string_view directory, std::string_view path);

// Adds the routes; nothing when `directory` is empty.
void add_static_routes(Router& router, std::string directory);

}  // namespace ussdgw::http
