#include "engine/http/RequestReader.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace ussdgw::http {

RequestReader::RequestReader(std::size_t max_header_bytes, std::size_t max_body_bytes)
    : max_header_bytes_(max_header_bytes), max_body_bytes_(max_body_bytes) {
    restart();
}

void RequestReader::restart() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(max_header_bytes_));
    parser_->body_limit(max_body_bytes_);
    continue_checked_ = false;
}

RequestReader::Step RequestReader::reject(HttpStatus status, std::string code,
                                          std::string message) {
    rejection_ = Rejection{status, std::move(code), std::move(message)};
    return Step::reject;
}

RequestReader::Step RequestReader::parse(boost::beast::flat_buffer& buffer) {
    while (buffer.size() > 0 && !parser_->is_done()) {
        boost::system::error_code ec;
        std::size_t used = parser_->put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == bhttp::error::need_more) break;
        if (ec == bhttp::error::header_limit)
            return reject(HttpStatus::request_header_fields_too_large, "header_too_large",
                          "the request header is larger than allowed");
        if (ec == bhttp::error::body_limit)
            return reject(HttpStatus::payload_too_large, "body_too_large",
                          "the request body is larger than allowed");
        if (ec) return reject(HttpStatus::bad_request, "bad_request", ec.message());
        if (used == 0) break;
    }
    // The parser leaves an incomplete header in the buffer: bound it here too.
    if (!parser_->is_header_done() && buffer.size() > max_header_bytes_)
        return reject(HttpStatus::request_header_fields_too_large, "header_too_large",
                      "the request header is larger than allowed");
    if (parser_->is_header_done() && !continue_checked_) {
        continue_checked_ = true;
        const auto& h = parser_->get();
        auto expect = h.find(bhttp::field::expect);
        if (expect != h.end()) {
            if (!boost::beast::iequals(expect->value(), "100-continue"))
                return reject(HttpStatus::expectation_failed, "expectation_failed",
                              "only Expect: 100-continue is supported");
            if (!parser_->is_done()) return Step::send_continue;
        }
    }
    if (!parser_->is_done()) return Step::need_more;
    const auto& req = parser_->get();
    auto target = req.target();
    if (!split_target(std::string_view(target.data(), target.size())))
        return reject(HttpStatus::bad_request, "bad_target",
                      "the request target must be a path beginning with '/'");
    if (req.version() >= 11 && req.find(bhttp::field::host) == req.end())
        return reject(HttpStatus::bad_request, "missing_host",
                      "an HTTP/1.1 request needs a Host header");
    return Step::request;
}

Request RequestReader::take() {
    Request r = parser_->release();
    restart();
    return r;
}

Verb RequestReader::method() const {
    return parser_->is_header_done() ? parser_->get().method() : Verb::unknown;
}

unsigned RequestReader::version() const {
    return parser_->is_header_done() ? parser_->get().version() : 11;
}

}  // namespace ussdgw::http
