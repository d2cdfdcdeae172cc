// Router: method + path pattern -> handler, with no socket.
//
// Patterns are literal segments and `{name}` parameters ("/api/v1/subscribers/{msisdn}");
// a parameter matches one non-empty segment and reaches the handler percent-decoded
// through HttpRequest::param. The pattern, not the raw path, is the route's name in
// metrics and logs. Each route belongs to a scope: `main` routes are served on the main
// listener; `ops` routes (/metrics, /healthz, /readyz) on the operations listener when
// [http] ops_listen is set, else on the main one too. A GET route answers HEAD as well.
//
// Handlers answer through an `HttpResponder`, now or later (after a storage commit, an
// Argon2 hash on a worker): it is copyable, sends at most once, may be called from any
// thread, and is harmless when the connection closed meanwhile. A responder dropped
// without an answer sends 500 itself, so a request is never left hanging.
//
// Other files add their routes to the engine's router before the server starts:
//
//   router.add(Verb::post, "/ussd", [&](const HttpRequest& req, HttpResponder respond) {
//       respond.send(text_response(HttpStatus::ok, "END thanks"));
//   });
//
// Unknown paths get 404 and known paths with another method 405 with an Allow header,
// both with a JSON error body.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http/HttpMessage.hpp"

namespace ussdgw::http {

class HttpResponder {
  public:
    using Sink = std::function<void(Response&&)>;

    // `sink` receives the one answer (the connection posts it to its loop; tests capture it).
    explicit HttpResponder(Sink sink);

    // Sends the answer; only the first call counts. Thread-safe.
    void send(Response res) const;
    void send_error(HttpStatus status, std::string_view code, std::string_view message) const;
    bool answered() const;

  private:
    struct State {
        Sink sink;
        std::atomic<bool> answered{false};
        ~State();
    };
    std::shared_ptr<State> state_;
};

enum class Scope : unsigned { main = 1, ops = 2 };
inline constexpr unsigned kAllScopes = 3;

class Router {
  public:
    using Handler = std::function<void(const HttpRequest&, HttpResponder)>;

    // Adds a route; throws std::logic_error for a malformed pattern or a route that exists.
    // Not thread-safe: add routes on the loop thread before serving.
    void add(Verb method, std::string_view pattern, Handler handler, Scope scope = Scope::main);

    struct Route {
        Verb method;
        std::string pattern;
        std::vector<std::string> segments;  // "{name}" for parameters
        Handler handler;
        Scope scope;
    };
    struct Match {
        enum class Kind { found, not_found, method_not_allowed } kind = Kind::not_found;
        const Route* route = nullptr;  // found; method_not_allowed: a route of that path
        Fields params;                 // found: decoded parameters
        std::string allow;             // method_not_allowed: "GET, HEAD, POST"
    };
    // The route for `method` and `path` among those in `scopes` (a mask of Scope values).
    Match match(Verb method, std::string_view path, unsigned scopes) const;

    // match + answer: calls the handler, or answers 404 / 405 itself. Returns the route's
    // pattern (the metrics label; for 405 the path's pattern), or "unmatched" (404).
    std::string_view dispatch(HttpRequest& request, unsigned scopes, HttpResponder respond) const;

    const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

  private:
    std::vector<std::unique_ptr<Route>> routes_;
};

// The label of requests that matched no route.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

}  // namespace ussdgw::http
