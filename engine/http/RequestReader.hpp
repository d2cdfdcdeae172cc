// RequestReader: the sans-I/O half of reading HTTP requests on one connection. The connection
// reads bytes into its buffer and calls `parse`; the reader runs Beast's request parser (the
// codec) with the header and body limits, consumes what it took, and says what comes next:
// more bytes, a `100 Continue` to send, a complete request (its target a path, Host present
// for HTTP/1.1), or a rejection with the status, code and message to answer before closing
// (431 header too large, 413 body too large, 417, 400 for anything unparsable). Pipelined
// bytes after a request stay in the buffer for the next one. Tested and fuzzed without
// sockets (tests/engine/http/RequestReader_test.cpp, tests/fuzz/fuzz_http_request.cpp).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <optional>
#include <string>

#include "engine/http/HttpMessage.hpp"

namespace ussdgw::http {

class RequestReader {
  public:
    enum class Step { need_more, send_continue, request, reject };
    struct Rejection {
        HttpStatus status = HttpStatus::bad_request;
        std::string code;
        std::string message;
    };

    RequestReader(std::size_t max_header_bytes, std::size_t max_body_bytes);

    Step parse(boost::beast::flat_buffer& buffer);
    // After Step::request: the request; the reader then starts on the next one.
    Request take();
    // After Step::reject: what to answer (then close: the stream cannot be trusted).
    const Rejection& rejection() const { return rejection_; }
    // The method and version of the request being read, once its header is (for answers).
    Verb method() const;
    unsigned version() const;

  private:
    Step reject(HttpStatus status, std::string code, std::string message);
    void restart();

    std::size_t max_header_bytes_;
    std::size_t max_body_bytes_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    bool continue_checked_ = false;
    Rejection rejection_;
};

}  // namespace ussdgw::http
