#include "engine/http/ussd/HttpUssdIngress.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <map>
#include <optional>

namespace http_ussd_ingress_test {

using namespace ussdgw;
using namespace ussdgw::http;

namespace {

constexpr const char* kPassword = "correct horse battery staple";

std::array<unsigned char, 32> sha256(std::string_view s) {
    std::array<unsigned char, 32> d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
    return d;
}

std::string basic(std::string_view user_pass) {
    std::string out(sodium_base64_encoded_len(user_pass.size(), sodium_base64_VARIANT_ORIGINAL),
                    '\0');
    sodium_bin2base64(out.data(), out.size(),
                      reinterpret_cast<const unsigned char*>(user_pass.data()), user_pass.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);
    return "Basic " + out;
}

// A USSD core that answers every begin and answer at once with a screen naming what it got.
struct FakeCore {
    std::map<std::string, ussd::ScreenSink> sinks;
    std::vector<std::string> events;
    bool answer_at_once = true;

    UssdCorePort port() {
        return {[this](const std::string& n, ussd::ScreenSink s) { sinks[n] = std::move(s); },
                [this](const std::string& n) { sinks.erase(n); },
                [this](ussd::UssdBegin b) {
                    events.push_back("begin " + b.key.ingress + " " + b.subscriber + " " + b.text);
                    if (answer_at_once) sinks[b.key.ingress]({b.key, "menu of " + b.text, false});
                },
                [this](ussd::UssdAnswer a) {
                    events.push_back("answer " + a.text);
                    if (answer_at_once) sinks[a.key.ingress]({a.key, "bye", true});
                },
                [this](ussd::UssdRelease r) { events.push_back("release " + r.key.session); }};
    }
};

struct Fixture {
    boost::asio::io_context io;
    metrics::Registry registry{"ussdgw_"};
    Router router;
    FakeCore core;
    std::unique_ptr<HttpUssdIngress> ingress;

    Fixture() {
        REQUIRE(sodium_init() >= 0);
        HttpUssdAccount open;
        open.name = "local";
        open.allowed_addresses = {"127.0.0.1"};
        HttpUssdAccount agg;
        agg.name = "agg";
        agg.user = "agg";
        agg.password_sha256 = sha256(kPassword);
        agg.allowed_addresses = {"10.0.0.1", "10.0.0.2"};
        std::vector<HttpUssdAccount> accounts{open, agg};
        ingress = std::make_unique<HttpUssdIngress>(
            io, accounts, core.port(),
            [](HttpUssdNotice, const std::string&) { return std::string("try later"); }, registry);
        ingress->start(router);
    }
    ~Fixture() { ingress->stop(); }

    std::optional<Response> post(std::string body, std::string peer = "127.0.0.1",
                                 std::string content_type = "application/x-www-form-urlencoded",
                                 std::string authorization = "") {
        Request m{Verb::post, "/ussd", 11};
        m.set(bhttp::field::host, "x");
        if (!content_type.empty()) m.set(bhttp::field::content_type, content_type);
        if (!authorization.empty()) m.set(bhttp::field::authorization, authorization);
        m.body() = std::move(body);
        HttpRequest req(std::move(m), peer, 40000, "main");
        last.reset();
        router.dispatch(req, kAllScopes,
                        HttpResponder([this](Response&& r) { last = std::move(r); }));
        io.poll();
        return last;
    }
    std::optional<Response> last;  // the answer to the last request, once there
};

std::string error_code_of(const Response& r) {
    auto pos = r.body().find("\"code\":\"");
    if (pos == std::string::npos) return "";
    pos += 8;
    return r.body().substr(pos, r.body().find('"', pos) - pos);
}

constexpr const char* kFirst =
    "sessionId=ATs1&serviceCode=%2A141%2A3%2A6%23&phoneNumber=%2B375291000001&networkCode=25701"
    "&text=";

}  // namespace

TEST_CASE("http ussd ingress: a form dialogue on the address account, CON then END") {
    Fixture f;
    auto r = f.post(kFirst);
    REQUIRE(r);
    CHECK(r->result() == HttpStatus::ok);
    CHECK(r->body() == "CON menu of *141*3*6#");
    CHECK((*r)[bhttp::field::content_type] == "text/plain; charset=utf-8");
    r = f.post(std::string(kFirst) + "1");
    CHECK(r->body() == "END bye");
    r = f.post(std::string(kFirst) + "1");  // repeat: same answer, nothing applied again
    CHECK(r->body() == "END bye");
    CHECK(f.core.events ==
          std::vector<std::string>{"begin http:local 375291000001 *141*3*6#", "answer 1"});
    auto text = f.registry.render();
    CHECK(text.find(R"(ussdgw_ussd_http_requests_total{account="local",outcome="continued"} 1)") !=
          std::string::npos);
    CHECK(text.find(R"(ussdgw_ussd_http_requests_total{account="local",outcome="repeated"} 1)") !=
          std::string::npos);
}

TEST_CASE("http ussd ingress: a JSON body works the same") {
    Fixture f;
    auto r =
        f.post(R"({"sessionId":"j1","serviceCode":"*141#","phoneNumber":375291000002,"text":""})",
               "127.0.0.1", "application/json; charset=utf-8");
    REQUIRE(r);
    CHECK(r->body() == "CON menu of *141#");
}

TEST_CASE("http ussd ingress: bad content type, body and fields get 415 / 400 JSON errors") {
    Fixture f;
    auto r = f.post(kFirst, "127.0.0.1", "text/plain");
    CHECK(r->result() == HttpStatus::unsupported_media_type);
    CHECK(error_code_of(*r) == "unsupported_media_type");
    r = f.post(kFirst, "127.0.0.1", "");
    CHECK(r->result() == HttpStatus::unsupported_media_type);
    r = f.post("sessionId=%zz", "127.0.0.1");
    CHECK(r->result() == HttpStatus::bad_request);
    CHECK(error_code_of(*r) == "bad_body");
    r = f.post("{", "127.0.0.1", "application/json");
    CHECK(r->result() == HttpStatus::bad_request);
    r = f.post("sessionId=x&serviceCode=*141%23&text=", "127.0.0.1");
    CHECK(r->result() == HttpStatus::bad_request);
    CHECK(error_code_of(*r) == "missing_field");
    CHECK(r->body().find("phoneNumber") != std::string::npos);
    r = f.post("sessionId=x&serviceCode=*141%23&phoneNumber=abc", "127.0.0.1");
    CHECK(error_code_of(*r) == "bad_field");
    CHECK(f.core.events.empty());
}

TEST_CASE("http ussd ingress: accounts by address and by basic credentials") {
    Fixture f;
    // An address no account allows, no credentials: 401 (an account on the path takes them).
    auto r = f.post(kFirst, "192.0.2.7");
    CHECK(r->result() == HttpStatus::unauthorized);
    CHECK((*r)[bhttp::field::www_authenticate].starts_with("Basic"));
    r = f.post(kFirst, "10.0.0.1", "application/x-www-form-urlencoded", basic("agg:wrong"));
    CHECK(r->result() == HttpStatus::unauthorized);
    CHECK(error_code_of(*r) == "unauthorized");
    r = f.post(kFirst, "10.0.0.1", "application/x-www-form-urlencoded", basic("nobody:x"));
    CHECK(r->result() == HttpStatus::unauthorized);
    r = f.post(kFirst, "10.0.0.1", "application/x-www-form-urlencoded", "Basic !!!");
    CHECK(r->result() == HttpStatus::unauthorized);
    // The right credentials from an address the account does not allow: 403.
    r = f.post(kFirst, "192.0.2.7", "application/x-www-form-urlencoded",
               basic(std::string("agg:") + kPassword));
    CHECK(r->result() == HttpStatus::forbidden);
    CHECK(f.core.events.empty());
    r = f.post(kFirst, "10.0.0.2", "application/x-www-form-urlencoded",
               basic(std::string("agg:") + kPassword));
    CHECK(r->result() == HttpStatus::ok);
    REQUIRE(f.core.events.size() == 1);
    CHECK(f.core.events[0].starts_with("begin http:agg "));
    auto text = f.registry.render();
    CHECK(text.find(R"(ussdgw_ussd_http_requests_total{account="-",outcome="unauthorized"} 4)") !=
          std::string::npos);
    CHECK(text.find(R"(ussdgw_ussd_http_requests_total{account="agg",outcome="forbidden"} 1)") !=
          std::string::npos);
}

TEST_CASE("http ussd ingress: a pending step answered later; stop answers what waits") {
    Fixture f;
    f.core.answer_at_once = false;
    auto r = f.post(kFirst);
    CHECK_FALSE(r);  // waiting for the core
    CHECK(f.ingress->sessions() == 1);
    f.core.sinks["http:local"]({{"http:local", "ATs1"}, "later menu", false});
    REQUIRE(f.last);
    CHECK(f.last->body() == "CON later menu");
    f.post(std::string(kFirst) + "1");
    CHECK_FALSE(f.last);
    f.ingress->stop();
    REQUIRE(f.last);
    CHECK(f.last->body() == "END try later");
    CHECK(f.core.events.back() == "release ATs1");
    CHECK(f.core.sinks.empty());
}

}  // namespace http_ussd_ingress_test
