// Helpers for the cabinet API route tests: the real CabinetApi on a real HttpServer (its own
// io_context thread, loopback TCP), over a real Storage in a temporary directory whose
// completions are posted to that loop and whose wall clock the test moves, with the
// demo-like subscribers of the storage tests loaded; a raw-socket client sends JSON.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "engine/EngineTestSupport.hpp"
#include "engine/api/CabinetApi.hpp"
#include "engine/http/HttpTestSupport.hpp"
#include "storage/SessionStore.hpp"

namespace ussdgw::test {

// An operator token and the subscribers of kSampleCsv that the route tests use.
inline const std::string kStaffToken = "ops_route-tests-token";
inline const char* kIndividual = "375291000001";     // password login; puk_login no
inline const char* kPukLogin = "375291000003";       // PUK1 33333333 logs in
inline const char* kSuspended = "375291000004";      // service suspended
inline const char* kAdministrator = "375292000001";  // of legal entity L1

// What a refusal says: its HTTP status and "error.code", checked in one CHECK.
struct Refusal {
    unsigned status = 0;
    std::string code;
    bool operator==(const Refusal&) const = default;
};
inline std::ostream& operator<<(std::ostream& o, const Refusal& r) {
    return o << r.status << " " << r.code;
}

struct ApiAnswer {
    unsigned status = 0;
    nlohmann::json body;
    http::Response raw;
    // The refusal's "error.code", or "" for a success.
    std::string code() const {
        return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
    }
    Refusal refusal() const { return {status, code()}; }
};

// A login request's body: {"msisdn": ..., <field>: <value>}.
inline std::string login_body(const char* msisdn, const std::string& field,
                              const std::string& value) {
    return std::string(R"({"msisdn":")") + msisdn + R"(",")" + field + R"(":")" + value + R"("})";
}

class ApiHarness {
  public:
    explicit ApiHarness(const std::function<void(api::ApiConfig&)>& adjust = {})
        : server_(config()) {
        auto post = [this](std::function<void()> fn) {
            boost::asio::post(server_.io(), std::move(fn));
        };
        st_ = open_sample_storage(cfg_, post, clock);
        api::ApiConfig a;
        a.staff = {{"tester", storage::token_hash_hex(kStaffToken)}};
        if (adjust) adjust(a);
        // Built and started before the loop runs; from then on it lives on the loop.
        api_ = std::make_unique<api::CabinetApi>(server_.io(), a, "ru", *st_, post,
                                                 [this] { ++sms_queued; });
        api_->start();
        api_->add_routes(server_.router());
        server_.start();
    }
    ~ApiHarness() {
        on_loop(server_.io(), [this] {
            api_->stop();
            api_.reset();
            return 0;
        });
        server_.stop();
        st_.reset();
    }

    // One request on a fresh connection: `body` is sent as JSON when not empty.
    ApiAnswer call(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::string& headers = "") {
        std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers;
        if (!body.empty())
            raw +=
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n";
        raw += "\r\n" + body;
        RawClient c(server_.port());
        auto res = c.request(raw);
        REQUIRE(res);
        ApiAnswer a;
        a.status = res->result_int();
        a.raw = *res;
        if (!res->body().empty() && (*res)["Content-Type"].starts_with("application/json"))
            a.body = nlohmann::json::parse(res->body(), nullptr, false);
        return a;
    }
    ApiAnswer staff_call(const std::string& method, const std::string& path,
                         const std::string& body = "", const std::string& headers = "") {
        return call(method, path, body, "Authorization: Bearer " + kStaffToken + "\r\n" + headers);
    }
    // A subscriber session opened with the PUK1 of kPukLogin: its Bearer token.
    std::string puk_session(const char* msisdn = kPukLogin, const char* puk = "33333333") {
        auto a = call("POST", "/api/v1/login", login_body(msisdn, "puk1", puk));
        REQUIRE_MESSAGE(a.status == 200, a.raw.body());
        return a.body.at("token").get<std::string>();
    }
    static std::string bearer(const std::string& token) {
        return "Authorization: Bearer " + token + "\r\n";
    }

    storage::test::ManualClock clock;  // the storage's (and so the API's) wall clock
    std::atomic<int> sms_queued{0};

  private:
    static http::HttpConfig config() {
        http::HttpConfig c;
        c.request_timeout = std::chrono::seconds(5);
        c.handler_timeout = std::chrono::seconds(5);
        return c;
    }
    storage::test::TempDir dir_;
    storage::StorageConfig cfg_ = storage::test::test_config(dir_);
    TestHttpServer server_;
    std::unique_ptr<storage::Storage> st_;
    std::unique_ptr<api::CabinetApi> api_;
};

}  // namespace ussdgw::test
