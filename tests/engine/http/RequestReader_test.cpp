#include "engine/http/RequestReader.hpp"

#include <doctest/doctest.h>

#include <boost/asio/buffer.hpp>
#include <string>

namespace request_reader_test {

using namespace ussdgw::http;
using Step = RequestReader::Step;

namespace {
void append(boost::beast::flat_buffer& b, std::string_view bytes) {
    auto n = boost::asio::buffer_copy(b.prepare(bytes.size()),
                                      boost::asio::buffer(bytes.data(), bytes.size()));
    b.commit(n);
}
}  // namespace

TEST_CASE("request reader: a request in pieces, byte by byte, then the pipelined next one") {
    RequestReader r(1024, 1024);
    boost::beast::flat_buffer b;
    std::string first = "POST /ussd?x=1 HTTP/1.1\r\nHost: gw\r\nContent-Length: 4\r\n\r\ntext";
    for (std::size_t i = 0; i + 1 < first.size(); ++i) {
        append(b, first.substr(i, 1));
        REQUIRE(r.parse(b) == Step::need_more);
    }
    append(b, first.substr(first.size() - 1) + "GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n");
    REQUIRE(r.parse(b) == Step::request);
    Request req = r.take();
    CHECK(req.method() == Verb::post);
    CHECK(req.target() == "/ussd?x=1");
    CHECK(req.body() == "text");
    REQUIRE(r.parse(b) == Step::request);  // the pipelined one, from what stayed buffered
    CHECK(r.take().target() == "/healthz");
    CHECK(b.size() == 0);
    CHECK(r.parse(b) == Step::need_more);
}

TEST_CASE("request reader: limits, bad input and validation are rejections with a status") {
    struct Case {
        std::string bytes;
        HttpStatus status;
        const char* code;
    };
    const Case cases[] = {
        {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n",
         HttpStatus::request_header_fields_too_large, "header_too_large"},
        {"GET / HTTP/1.1\r\nX-Endless: " + std::string(2000, 'a'),  // never finished
         HttpStatus::request_header_fields_too_large, "header_too_large"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n",
         HttpStatus::payload_too_large, "body_too_large"},
        {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n" +
             std::string(1025, 'b') + "\r\n0\r\n\r\n",
         HttpStatus::payload_too_large, "body_too_large"},
        {"\x16\x03\x01\x00\x10junk\r\n\r\n", HttpStatus::bad_request, "bad_request"},
        {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
         HttpStatus::bad_request, "bad_request"},
        {"GET / HTTP/1.1\r\nHost x\r\n\r\n", HttpStatus::bad_request, "bad_request"},
        {"GET * HTTP/1.1\r\nHost: x\r\n\r\n", HttpStatus::bad_request, "bad_target"},
        {"GET / HTTP/1.1\r\n\r\n", HttpStatus::bad_request, "missing_host"},
        {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: something\r\n\r\n",
         HttpStatus::expectation_failed, "expectation_failed"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.bytes.substr(0, 60));
        RequestReader r(1024, 1024);
        boost::beast::flat_buffer b;
        append(b, c.bytes);
        REQUIRE(r.parse(b) == Step::reject);
        CHECK(r.rejection().status == c.status);
        CHECK(r.rejection().code == c.code);
        CHECK_FALSE(r.rejection().message.empty());
    }
}

TEST_CASE("request reader: HTTP/1.0 needs no Host; Expect: 100-continue asks to continue") {
    RequestReader r(1024, 1024);
    boost::beast::flat_buffer b;
    append(b, "GET /healthz HTTP/1.0\r\n\r\n");
    REQUIRE(r.parse(b) == Step::request);
    CHECK(r.take().version() == 10);
    append(b,
           "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
    REQUIRE(r.parse(b) == Step::send_continue);
    CHECK(r.method() == Verb::post);
    CHECK(r.parse(b) == Step::need_more);  // asked once only
    append(b, "abc");
    REQUIRE(r.parse(b) == Step::request);
    CHECK(r.take().body() == "abc");
}

}  // namespace request_reader_test
