#include "engine/http/StaticFiles.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ussdgw::http {

namespace {

constexpr std::size_t kMaxFileBytes = 4 << 20;

bool good_segment(std::string_view s) {
    if (s.empty() || s.size() > 128 || s.front() == '.') return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::string_view static_content_type(std::string_view name) {
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos) return {};
    std::string_view ext = name.substr(dot);
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".json") return "application/json";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return {};
}

std::optional<std::string> static_file_path(std::string_view directory, std::string_view path) {
    if (path.empty() || path.front() != '/') return std::nullopt;
    std::string rel;
    std::string_view rest = path.substr(1);
    if (rest.empty()) rest = "index.html";
    int depth = 0;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string_view seg = rest.substr(0, slash);
        if (!good_segment(seg) || ++depth > 2) return std::nullopt;
        if (!rel.empty()) rel += '/';
        rel += seg;
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
        if (rest.empty()) return std::nullopt;  // a trailing slash
    }
    if (static_content_type(rel).empty()) return std::nullopt;
    return std::string(directory) + "/" + rel;
}

void add_static_routes(Router& router, std::string directory) {
    if (directory.empty()) return;
    auto handler = [directory](const HttpRequest& req, HttpResponder respond) {
        namespace fs = std::filesystem;
        auto not_found = [&] {
            respond.send(error_response(HttpStatus::not_found, "not_found", "no such resource"));
        };
        auto file = static_file_path(directory, req.path());
        if (!file) return not_found();
        std::error_code ec;
        // The file must really be inside the directory (no symbolic link out of it).
        fs::path real = fs::canonical(*file, ec);
        fs::path root = fs::canonical(directory, ec);
        if (ec || !fs::is_regular_file(real, ec)) return not_found();
        auto rel = real.lexically_relative(root);
        if (rel.empty() || *rel.begin() == "..") return not_found();
        if (fs::file_size(real, ec) > kMaxFileBytes || ec) return not_found();
        std::ifstream in(real, std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        if (!in && !in.eof()) return not_found();
        auto res = text_response(HttpStatus::ok, body.str(),
                                 static_content_type(real.filename().string()));
        res.set(bhttp::field::cache_control, "no-cache");
        respond.send(std::move(res));
    };
    router.add(Verb::get, "/", handler);
    router.add(Verb::get, "/{file}", handler);
    router.add(Verb::get, "/{dir}/{file}", handler);
}

}  // namespace ussdgw::http
