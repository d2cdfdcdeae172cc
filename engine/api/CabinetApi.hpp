// engine/api: the cabinet's JSON API under /api/v1 (the contract is engine/api/openapi.yaml,
// served at /api/v1/openapi.yaml from the copy compiled into the binary). `CabinetApi` adds
// its routes to the engine's Router; its handlers read and check the request (ApiJson),
// authenticate it (SessionRules: subscriber sessions by cookie or Bearer token, CSRF on
// cookie changes, the operator's named tokens), apply the in-memory limits (LoginGuard) and
// the password policy, and call storage (storage::WebCabinet, storage::CabinetService),
// answering from the storage callback once the change is committed.
//
// Routes by caller: PublicRoutes.cpp (login, codes, password reset, the catalogue, the
// document), SubscriberRoutes.cpp (the session, the account, password, access, service
// requests, step-up, call details), StaffRoutes.cpp (administrators' and supervisors'
// /org routes and the operator's /ops routes). The engine's loop runs everything here; two
// timers belong to the API: the service-request scheduler (applies confirmed requests when
// due, re-armed from the database, so it survives restarts) and the session sweeper (ends
// sessions left idle or past their lifetime, which annuls their unconfirmed requests).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/api/ApiConfig.hpp"
#include "engine/api/ApiJson.hpp"
#include "engine/api/LoginGuard.hpp"
#include "engine/api/SessionRules.hpp"
#include "engine/base/Lifetime.hpp"
#include "engine/http/Router.hpp"
#include "storage/Storage.hpp"
#include "storage/WebCabinet.hpp"

namespace ussdgw::api {

// The HTTP names every route file uses.
using http::HttpRequest;
using http::HttpResponder;
using http::HttpStatus;
using http::Verb;

// The contract, compiled in (engine/api/openapi.yaml).
std::string_view openapi_document();

class CabinetApi {
  public:
    // `sms_queued` is called when a code SMS was committed to the outbox (the engine sends
    // it at once). `default_language` picks SMS texts for subscribers without a language.
    CabinetApi(boost::asio::io_context& io, ApiConfig cfg, std::string default_language,
               storage::Storage& storage, storage::Post post, std::function<void()> sms_queued);
    ~CabinetApi();

    // Opens the API's read connection and starts the timers. Throws std::runtime_error.
    void start();
    void stop();
    void add_routes(http::Router& router);

    storage::WebCabinet& cabinet() { return *web_; }
    const ApiConfig& config() const { return cfg_; }

  private:
    struct Subscriber {
        storage::SessionContext ctx;
        Credentials credentials;
    };
    // Authenticates a subscriber request (and its CSRF token for cookie changes); when it
    // fails, the answer is sent and nullopt returned.
    std::optional<Subscriber> subscriber(const http::HttpRequest& req,
                                         const http::HttpResponder& r);
    // The same for the operator's staff: the staff member's name.
    std::optional<std::string> staff(const http::HttpRequest& req, const http::HttpResponder& r);
    // An administrator or supervisor of a legal entity (else role.forbidden).
    std::optional<Subscriber> manager(const http::HttpRequest& req, const http::HttpResponder& r);
    void note_activity(const storage::WebSession& s, std::int64_t now);
    std::int64_t now() const { return web_->now(); }

    void add_public_routes(http::Router& router);
    void add_subscriber_routes(http::Router& router);
    void add_service_routes(http::Router& router);
    void add_org_routes(http::Router& router);
    void add_ops_routes(http::Router& router);

    // Answers a storage refusal (or a storage failure).
    void refuse(const http::HttpResponder& r, const Error& e) const;
    // The storage callback of a request answered on `r`: nothing once the API is gone, a
    // refusal answered by refuse(), a result handed to `then`.
    template <typename T, typename Then>
    storage::Done<T> answer(http::HttpResponder r, Then then) {
        return lifetime_.guard([this, r, then = std::move(then)](Result<T> v) {
            if (!v) return refuse(r, v.error());
            then(*v);
        });
    }
    // 204 with the session cookie cleared: logout, a password change, closing one's access.
    http::Response session_closed() const;
    // The login and reset answer: the session (token, CSRF token) and its cookie.
    http::Response session_opened(const storage::SessionGranted& g) const;
    Json session_info(const storage::SessionContext& ctx, const Credentials& c) const;
    const ServiceOffer* offer(std::string_view code) const;

    void arm_scheduler();
    // A request was confirmed: it may be due before the timer.
    void arm_scheduler_soon();
    void run_scheduler();
    void arm_sweeper();
    void sweep();

    boost::asio::io_context& io_;
    ApiConfig cfg_;
    std::string default_language_;
    storage::Storage& storage_;
    std::function<void()> sms_queued_;
    std::unique_ptr<storage::WebCabinet> web_;
    AddressLimiter login_failures_;
    AddressLimiter code_requests_;
    UnknownNumbers unknown_;
    // Activity this process saw per session id (the database's last_seen_at is written at
    // most every touch interval), and whether a write of it is in flight.
    struct Activity {
        std::int64_t last_ms = 0;
        std::int64_t written_ms = 0;
        bool writing = false;
    };
    std::unordered_map<std::int64_t, Activity> activity_;
    boost::asio::steady_timer scheduler_timer_;
    boost::asio::steady_timer sweeper_timer_;
    bool applying_ = false;
    int sweeps_ = 0;
    bool stopped_ = false;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::api
