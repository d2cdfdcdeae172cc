// HTTP messages as handlers see them, with no socket: the request (`HttpRequest`: the Beast
// message plus its path, query, route parameters and peer), response builders (JSON error
// bodies `{"error": {"code": ..., "message": ...}}`, text, JSON), the security headers every
// answer carries, and the small parsers a route needs (origin-form targets, percent
// decoding, application/x-www-form-urlencoded bodies).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ussdgw::http {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using Verb = bhttp::verb;
using HttpStatus = bhttp::status;
using Fields = std::vector<std::pair<std::string, std::string>>;

// A request being handled. Valid for the duration of the handler call: a handler that
// answers later copies what it needs.
class HttpRequest {
  public:
    HttpRequest(Request message, std::string peer_address, std::uint16_t peer_port,
                std::string listener);

    const Request& message() const { return message_; }
    Verb method() const { return message_.method(); }
    std::string_view target() const;
    std::string_view path() const { return target().substr(0, path_len_); }
    std::string_view query() const { return target().substr(query_pos_, query_len_); }
    const std::string& body() const { return message_.body(); }
    // A header's value ("" when absent).
    std::string_view header(std::string_view name) const;
    // A route parameter ("/subscribers/{msisdn}"), percent-decoded; nullopt when absent.
    std::optional<std::string_view> param(std::string_view name) const;
    // The first query parameter of that name, decoded; nullopt when absent.
    std::optional<std::string> query_param(std::string_view name) const;
    const std::string& peer_address() const { return peer_address_; }
    std::uint16_t peer_port() const { return peer_port_; }
    // The listener that received it: "main" or "ops".
    const std::string& listener() const { return listener_; }

    // Set by the router when a route matches.
    void set_params(Fields params) { params_ = std::move(params); }

  private:
    Request message_;
    // Offsets into the target (views would not survive a move of the message).
    std::size_t path_len_ = 0, query_pos_ = 0, query_len_ = 0;
    Fields params_;
    std::string peer_address_;
    std::uint16_t peer_port_ = 0;
    std::string listener_;
};

// origin-form "/a/b?x=1" -> path "/a/b", query "x=1"; nullopt for any other form.
struct Target {
    std::string_view path;
    std::string_view query;
};
std::optional<Target> split_target(std::string_view target);

// %XX decoding ('+' is a space when `plus_is_space`); nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}} (also query strings); nullopt when malformed.
std::optional<Fields> parse_form(std::string_view text);

// Response builders. `keep_alive` and Content-Length are settled when the answer is sent.
Response text_response(HttpStatus status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
Response json_response(HttpStatus status, std::string json);
// {"error": {"code": code, "message": message}} with the status, as JSON.
Response error_response(HttpStatus status, std::string_view code, std::string_view message);
std::string error_body(std::string_view code, std::string_view message);

// X-Content-Type-Options nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer, a
// Content-Security-Policy of default-src 'self' (the web page relies on it) and
// Cache-Control no-store, each unless the handler set that header itself.
void apply_security_headers(Response& res);

}  // namespace ussdgw::http
