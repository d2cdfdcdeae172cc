#include "engine/http/HttpMessage.hpp"

#include <nlohmann/json.hpp>

namespace ussdgw::http {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void set_if_absent(Response& res, std::string_view name, std::string_view value) {
    boost::beast::string_view n(name.data(), name.size());
    if (res.find(n) == res.end()) res.set(n, boost::beast::string_view(value.data(), value.size()));
}

}  // namespace

HttpRequest::HttpRequest(Request message, std::string peer_address, std::uint16_t peer_port,
                         std::string listener)
    : message_(std::move(message)),
      peer_address_(std::move(peer_address)),
      peer_port_(peer_port),
      listener_(std::move(listener)) {
    std::string_view t = target();
    path_len_ = t.size();
    if (auto q = t.find('?'); q != std::string_view::npos) {
        path_len_ = q;
        query_pos_ = q + 1;
        query_len_ = t.size() - q - 1;
    }
}

std::string_view HttpRequest::target() const {
    auto t = message_.target();
    return {t.data(), t.size()};
}

std::string_view HttpRequest::header(std::string_view name) const {
    auto it = message_.find(boost::beast::string_view(name.data(), name.size()));
    if (it == message_.end()) return {};
    auto v = it->value();
    return {v.data(), v.size()};
}

std::optional<std::string_view> HttpRequest::param(std::string_view name) const {
    for (const auto& [k, v] : params_)
        if (k == name) return std::string_view(v);
    return std::nullopt;
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
    auto fields = parse_form(query());
    if (!fields) return std::nullopt;
    for (auto& [k, v] : *fields)
        if (k == name) return std::move(v);
    return std::nullopt;
}

std::optional<Target> split_target(std::string_view target) {
    if (target.empty() || target.front() != '/') return std::nullopt;
    for (char c : target)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '#') return std::nullopt;
    Target t;
    auto q = target.find('?');
    t.path = target.substr(0, q);
    if (q != std::string_view::npos) t.query = target.substr(q + 1);
    return t;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<Fields> parse_form(std::string_view text) {
    Fields out;
    while (!text.empty()) {
        auto amp = text.find('&');
        std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        auto value = percent_decode(
            eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!key || !value) return std::nullopt;
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

Response text_response(HttpStatus status, std::string body, std::string_view content_type) {
    Response res{status, 11};
    res.set(bhttp::field::content_type, content_type);
    res.body() = std::move(body);
    return res;
}

Response json_response(HttpStatus status, std::string json) {
    return text_response(status, std::move(json), "application/json");
}

std::string error_body(std::string_view code, std::string_view message) {
    // error_handler::replace: a message carrying invalid UTF-8 (echoed peer input) still
    // renders, with U+FFFD in place of the bad bytes.
    nlohmann::ordered_json j = {{"error", {{"code", code}, {"message", message}}}};
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Response error_response(HttpStatus status, std::string_view code, std::string_view message) {
    return json_response(status, error_body(code, message));
}

void apply_security_headers(Response& res) {
    set_if_absent(res, "Cache-Control", "no-store");
    set_if_absent(res, "X-Content-Type-Options", "nosniff");
    set_if_absent(res, "X-Frame-Options", "DENY");
    set_if_absent(res, "Referrer-Policy", "no-referrer");
    set_if_absent(res, "Content-Security-Policy",
                  "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                  "form-action 'self'");
}

}  // namespace ussdgw::http
