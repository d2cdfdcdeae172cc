#include "engine/http/ussd/HttpUssdIngress.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "engine/base/Log.hpp"
#include "engine/base/Secret.hpp"

namespace ussdgw::http {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
    Digest d{};
    crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return d;
}

bool same(const Digest& a, const Digest& b) {
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct Credentials {
    std::string user;
    Secret password;
};

// "Basic base64(user:password)"; nullopt when absent, an empty user when malformed.
std::optional<Credentials> basic_credentials(std::string_view header) {
    if (header.empty()) return std::nullopt;
    Credentials c;
    constexpr std::string_view scheme = "basic ";
    if (header.size() <= scheme.size() || header.size() > 1024) return c;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return c;
    std::string_view b64 = header.substr(scheme.size());
    while (!b64.empty() && b64.front() == ' ')
        b64.remove_prefix(1);
    std::string raw(b64.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(),
                          b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
        return c;
    raw.resize(len);
    auto colon = raw.find(':');
    if (colon == std::string::npos) {
        sodium_memzero(raw.data(), raw.size());
        return c;
    }
    c.user = raw.substr(0, colon);
    c.password = Secret(raw.substr(colon + 1));
    sodium_memzero(raw.data(), raw.size());
    return c;
}

std::string media_type(std::string_view content_type) {
    auto semi = content_type.find(';');
    std::string_view t = content_type.substr(0, semi);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
        t.remove_suffix(1);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
        t.remove_prefix(1);
    std::string out(t);
    for (char& ch : out)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

// A JSON object whose values are strings (or numbers, as aggregators send phoneNumber).
std::optional<Fields> json_fields(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    Fields out;
    for (auto& [k, v] : j.items()) {
        if (v.is_string())
            out.emplace_back(k, v.get<std::string>());
        else if (v.is_number_integer())
            out.emplace_back(k, v.dump());
        else if (!v.is_null())
            return std::nullopt;
    }
    return out;
}

}  // namespace

struct HttpUssdIngress::Account {
    Account(HttpUssdAccount c, HttpUssdNoticeText notice, boost::asio::io_context& io)
        : config(std::move(c)),
          ingress("http:" + config.name),
          user_digest(sha256(config.user)),
          sessions(ingress, config.limits, std::move(notice)),
          timer(io) {}

    HttpUssdAccount config;
    std::string ingress;
    Digest user_digest;
    HttpUssdSessions sessions;
    boost::asio::steady_timer timer;
    std::optional<UssdTime> armed;  // the deadline the timer waits for
    HttpUssdSessions::RequestId next_request = 1;
    std::unordered_map<HttpUssdSessions::RequestId, HttpResponder> waiting;
    metrics::Gauge* size_gauge = nullptr;
};

HttpUssdIngress::HttpUssdIngress(boost::asio::io_context& io, std::vector<HttpUssdAccount> accounts,
                                 UssdCorePort core, HttpUssdNoticeText notice,
                                 metrics::Registry& registry)
    : io_(io), core_(std::move(core)), registry_(registry) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
    for (auto& c : accounts) {
        accounts_.push_back(std::make_unique<Account>(std::move(c), notice, io_));
        accounts_.back()->size_gauge = &registry_.gauge(
            "ussd_http_sessions", "HTTP USSD sessions held (open, pending or ended), by account.",
            {{"account", accounts_.back()->config.name}});
    }
}

HttpUssdIngress::~HttpUssdIngress() = default;

std::size_t HttpUssdIngress::sessions() const {
    std::size_t n = 0;
    for (const auto& a : accounts_)
        n += a->sessions.size();
    return n;
}

void HttpUssdIngress::start(Router& router) {
    if (started_) return;
    started_ = true;
    std::map<std::string, std::vector<Account*>> by_path;
    for (auto& a : accounts_) {
        by_path[a->config.path].push_back(a.get());
        Account* acc = a.get();
        core_.register_ingress(acc->ingress,
                               lifetime_.guard([this, acc](const ussd::UssdScreen& screen) {
                                   HttpUssdSessions::Actions actions;
                                   acc->sessions.on_screen(screen, UssdClock::now(), actions);
                                   run(*acc, actions);
                               }));
    }
    for (auto& [path, candidates] : by_path) {
        router.add(Verb::post, path,
                   [this, candidates = candidates](const HttpRequest& req, HttpResponder respond) {
                       handle(candidates, req, std::move(respond));
                   });
        log::info("http_ussd.route", "path", path, "accounts", candidates.size());
    }
}

void HttpUssdIngress::stop() {
    if (!started_) return;
    started_ = false;
    for (auto& a : accounts_) {
        a->timer.cancel();
        HttpUssdSessions::Actions actions;
        a->sessions.shutdown(actions);
        run(*a, actions);
        core_.unregister_ingress(a->ingress);
    }
}

void HttpUssdIngress::count(Account* a, std::string_view outcome) {
    std::string name = a ? a->config.name : "-";
    std::string key = name + '\0' + std::string(outcome);
    auto it = counters_.find(key);
    if (it == counters_.end()) {
        auto& c = registry_.counter("ussd_http_requests_total",
                                    "HTTP USSD requests, by aggregator account and outcome.",
                                    {{"account", name}, {"outcome", std::string(outcome)}});
        it = counters_.emplace(std::move(key), &c).first;
    }
    it->second->inc();
}

HttpUssdIngress::Account* HttpUssdIngress::authenticate(const std::vector<Account*>& candidates,
                                                        const HttpRequest& req,
                                                        Refusal& refusal) const {
    auto allowed = [&](const Account& a) {
        const auto& list = a.config.allowed_addresses;
        return list.empty() ||
               std::find(list.begin(), list.end(), req.peer_address()) != list.end();
    };
    auto creds = basic_credentials(req.header("Authorization"));
    if (creds) {
        Digest user = sha256(creds->user), password = sha256(creds->password.reveal());
        Account* found = nullptr;
        for (Account* a : candidates) {
            if (a->config.user.empty()) continue;
            // Both compared in constant time, whatever matches first.
            const bool user_ok = same(a->user_digest, user);
            const bool password_ok = same(a->config.password_sha256, password);
            if (user_ok && password_ok && !found) found = a;
        }
        if (!found) {
            refusal = Refusal::unauthorized;
            return nullptr;
        }
        if (!allowed(*found)) {
            refusal = Refusal::forbidden;
            return found;
        }
        return found;
    }
    bool wants_credentials = false;
    for (Account* a : candidates) {
        if (!a->config.user.empty()) {
            wants_credentials = true;
            continue;
        }
        if (allowed(*a)) return a;
    }
    refusal = wants_credentials ? Refusal::unauthorized : Refusal::forbidden;
    return nullptr;
}

void HttpUssdIngress::handle(const std::vector<Account*>& candidates, const HttpRequest& req,
                             HttpResponder respond) {
    if (!started_)  // stopping: the USSD core takes no new steps
        return respond.send_error(HttpStatus::service_unavailable, "shutting_down",
                                  "the gateway is shutting down; try again later");
    Refusal refusal = Refusal::none;
    Account* a = authenticate(candidates, req, refusal);
    if (refusal != Refusal::none) {
        bool unauthorized = refusal == Refusal::unauthorized;
        std::string_view outcome = unauthorized ? "unauthorized" : "forbidden";
        count(a, outcome);
        log::warn("http_ussd.refused", "account", a ? a->config.name : std::string("-"), "peer",
                  req.peer_address(), "path", req.path(), "reason", outcome, "credentials",
                  req.header("Authorization").empty() ? "none" : "given");
        if (unauthorized) {
            auto res = error_response(HttpStatus::unauthorized, "unauthorized",
                                      "valid credentials of an aggregator account are needed");
            res.set(bhttp::field::www_authenticate, "Basic realm=\"ussd\", charset=\"UTF-8\"");
            return respond.send(std::move(res));
        }
        return respond.send_error(HttpStatus::forbidden, "forbidden",
                                  "this address may not use this USSD account");
    }
    std::string type = media_type(req.header("Content-Type"));
    std::optional<Fields> fields;
    if (type == "application/x-www-form-urlencoded") {
        fields = parse_form(req.body());
    } else if (type == "application/json") {
        fields = json_fields(req.body());
    } else {
        count(a, "unsupported_media_type");
        return respond.send_error(HttpStatus::unsupported_media_type, "unsupported_media_type",
                                  "send application/x-www-form-urlencoded (or application/json)");
    }
    if (!fields) {
        count(a, "bad_request");
        return respond.send_error(HttpStatus::bad_request, "bad_body",
                                  "the body is not a valid " + type + " body");
    }
    auto request = read_http_ussd_request(*fields);
    if (!request) {
        count(a, "bad_request");
        const auto& e = request.error();
        return respond.send_error(HttpStatus::bad_request,
                                  e.code == "ussd.missing_field" ? "missing_field" : "bad_field",
                                  e.message);
    }
    auto id = a->next_request++;
    a->waiting.emplace(id, std::move(respond));
    HttpUssdSessions::Actions actions;
    a->sessions.on_request(id, std::move(*request), UssdClock::now(), actions);
    run(*a, actions);
}

void HttpUssdIngress::run(Account& a, HttpUssdSessions::Actions& actions) {
    // The core may answer at once (a menu screen): the sink re-enters run() for that screen,
    // which is why the table is updated before these events go out.
    for (auto& ev : actions.to_core) {
        if (auto* b = std::get_if<ussd::UssdBegin>(&ev))
            core_.begin(std::move(*b));
        else if (auto* an = std::get_if<ussd::UssdAnswer>(&ev))
            core_.answer(std::move(*an));
        else
            core_.release(std::move(std::get<ussd::UssdRelease>(ev)));
    }
    for (auto& reply : actions.replies) {
        count(&a, HttpUssdSessions::outcome_name(reply.outcome));
        auto it = a.waiting.find(reply.request);
        if (it == a.waiting.end()) continue;
        it->second.send(text_response(HttpStatus::ok, std::move(reply.body)));
        a.waiting.erase(it);
    }
    a.size_gauge->set(static_cast<double>(a.sessions.size()));
    arm(a);
}

void HttpUssdIngress::arm(Account& a) {
    auto next = a.sessions.next_deadline();
    if (!next || !started_) {
        if (a.armed) a.timer.cancel();
        a.armed.reset();
        return;
    }
    if (a.armed && *a.armed <= *next) return;  // it wakes up early enough and re-arms then
    a.armed = next;
    a.timer.expires_at(*next);
    a.timer.async_wait(lifetime_.guard([this, &a](const boost::system::error_code& ec) {
        if (ec) return;
        a.armed.reset();
        HttpUssdSessions::Actions actions;
        a.sessions.on_timer(UssdClock::now(), actions);
        run(a, actions);
    }));
}

}  // namespace ussdgw::http
