// engine/http/ussd: USSD over HTTP, the aggregator convention (SPEC 3, issue 8). Aggregators
// POST one form per step (sessionId, serviceCode, phoneNumber, networkCode, text = the
// answers so far joined by '*') and read `text/plain` `CON <screen>` or `END <screen>`.
// `HttpUssdSessions` is the sans-I/O protocol core (repeats, continuation, the step
// deadline, idle and bounded sessions; fed time); `HttpUssdIngress` is its thin shell on
// the engine's loop: a POST route per configured path on the engine's Router, the
// aggregator accounts ([[ussd.http]]: allowed addresses and/or HTTP basic credentials, the
// password compared as a SHA-256 digest in constant time and never logged), the body
// (application/x-www-form-urlencoded, or a JSON object of strings), 400/401/403/415 with
// the server's JSON error body, one timer per account, and the hand-over to the USSD core
// through the seam of engine/ussd/UssdIngress.hpp as ingress "http:<account>".
//
// Metrics: ussdgw_ussd_http_requests_total{account, outcome} (outcome: a HttpUssdSessions
// outcome, or unauthorized, forbidden, unsupported_media_type, bad_request; account "-"
// when none was recognised) and ussdgw_ussd_http_sessions{account}.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/Lifetime.hpp"
#include "engine/base/Metrics.hpp"
#include "engine/http/Router.hpp"
#include "engine/http/ussd/HttpUssdConfig.hpp"
#include "engine/http/ussd/HttpUssdSessions.hpp"

namespace ussdgw::http {

// What the USSD core offers an ingress (UssdService), as functions: this layer knows no
// engine type.
struct UssdCorePort {
    std::function<void(const std::string& ingress, ussd::ScreenSink)> register_ingress;
    std::function<void(const std::string& ingress)> unregister_ingress;
    std::function<void(ussd::UssdBegin)> begin;
    std::function<void(ussd::UssdAnswer)> answer;
    std::function<void(ussd::UssdRelease)> release;
};

class HttpUssdIngress {
  public:
    HttpUssdIngress(boost::asio::io_context& io, std::vector<HttpUssdAccount> accounts,
                    UssdCorePort core, HttpUssdNoticeText notice, metrics::Registry& registry);
    ~HttpUssdIngress();
    HttpUssdIngress(const HttpUssdIngress&) = delete;
    HttpUssdIngress& operator=(const HttpUssdIngress&) = delete;

    // Registers the ingresses with the core and adds one POST route per distinct path
    // (throws std::logic_error when a path is already routed).
    void start(Router& router);
    // Waiting requests get END "try later", open dialogues are released, the ingresses
    // unregistered. Idempotent.
    void stop();

    std::size_t sessions() const;

  private:
    struct Account;
    enum class Refusal { none, unauthorized, forbidden };

    void handle(const std::vector<Account*>& candidates, const HttpRequest& req,
                HttpResponder respond);
    Account* authenticate(const std::vector<Account*>& candidates, const HttpRequest& req,
                          Refusal& refusal) const;
    void run(Account& a, HttpUssdSessions::Actions& actions);
    void arm(Account& a);
    void count(Account* a, std::string_view outcome);

    boost::asio::io_context& io_;
    UssdCorePort core_;
    metrics::Registry& registry_;
    std::vector<std::unique_ptr<Account>> accounts_;
    std::unordered_map<std::string, metrics::Counter*> counters_;
    bool started_ = false;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::http
