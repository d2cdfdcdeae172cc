// libFuzzer target for the HTTP request path without sockets: the input is a byte stream
// fed to RequestReader in chunks (sizes taken from the input itself), every request it
// yields is routed by a Router like the engine's (literal and {param} routes, handlers that
// read the body as a form, query parameters and headers), every rejection becomes the JSON
// error answer. Whatever the bytes, each step must be one of the four, a rejection must name
// a 4xx status and a code, and every answer must carry a body.
#include <boost/asio/buffer.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/http/RequestReader.hpp"
#include "engine/http/Router.hpp"

using namespace ussdgw::http;

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz_http_request: %s\n", what);
    std::abort();
}

const Router& router() {
    static Router r = [] {
        Router x;
        auto form = [](const HttpRequest& req, HttpResponder respond) {
            auto fields = parse_form(req.body());
            std::string text = fields ? std::to_string(fields->size()) : "bad form";
            (void)req.query_param("sessionId");
            (void)req.header("content-type");
            respond.send(text_response(HttpStatus::ok, "CON " + text));
        };
        x.add(Verb::post, "/ussd", form);
        x.add(Verb::get, "/healthz", form, Scope::ops);
        x.add(Verb::get, "/api/v1/subscribers/{msisdn}",
              [](const HttpRequest& req, HttpResponder respond) {
                  respond.send(json_response(HttpStatus::ok,
                                             error_body("x", std::string(*req.param("msisdn")))));
              });
        x.add(Verb::put, "/api/v1/subscribers/{msisdn}/access/{state}",
              [](const HttpRequest&, HttpResponder) { /* dropped: answers 500 itself */ });
        return x;
    }();
    return r;
}

void answered(const Response& res) {
    if (res.body().empty()) die("an answer without a body");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 64;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    RequestReader reader(512, 1024);
    boost::beast::flat_buffer buffer;
    while (true) {
        std::size_t n = std::min(chunk, input.size());
        if (n > 0) {
            buffer.commit(
                boost::asio::buffer_copy(buffer.prepare(n), boost::asio::buffer(input.data(), n)));
            input.remove_prefix(n);
        }
        auto step = reader.parse(buffer);
        if (step == RequestReader::Step::reject) {
            const auto& r = reader.rejection();
            if (static_cast<unsigned>(r.status) < 400 || static_cast<unsigned>(r.status) > 499 ||
                r.code.empty())
                die("a rejection that is not a 4xx with a code");
            answered(error_response(r.status, r.code, r.message));
            return 0;  // the connection closes
        }
        if (step == RequestReader::Step::request) {
            HttpRequest req(reader.take(), "127.0.0.1", 1, "main");
            router().dispatch(req, kAllScopes,
                              HttpResponder([](Response&& res) { answered(res); }));
            continue;
        }
        if (step != RequestReader::Step::need_more && step != RequestReader::Step::send_continue)
            die("an unknown step");
        if (n == 0) return 0;  // all fed, waiting for more
    }
}
