#include "engine/http/Router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <typeinfo>

#include "engine/base/Log.hpp"

namespace ussdgw::http {

namespace {

// "/a/b/c" -> {"a", "b", "c"}; "/" -> {}; "/a//b" -> {"a", "", "b"}.
std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.size() <= 1) return out;
    path.remove_prefix(1);
    while (true) {
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string_view verb_name(Verb v) {
    auto s = bhttp::to_string(v);
    return {s.data(), s.size()};
}

}  // namespace

HttpResponder::HttpResponder(Sink sink) : state_(std::make_shared<State>()) {
    state_->sink = std::move(sink);
}

HttpResponder::State::~State() {
    if (!answered.exchange(true) && sink)
        sink(error_response(HttpStatus::internal_server_error, "internal",
                            "the request was dropped without an answer"));
}

void HttpResponder::send(Response res) const {
    if (state_->answered.exchange(true)) return;
    if (state_->sink) state_->sink(std::move(res));
}

void HttpResponder::send_error(HttpStatus status, std::string_view code,
                               std::string_view message) const {
    send(error_response(status, code, message));
}

bool HttpResponder::answered() const {
    return state_->answered.load();
}

void Router::add(Verb method, std::string_view pattern, Handler handler, Scope scope) {
    auto route = std::make_unique<Route>();
    route->method = method;
    route->pattern = std::string(pattern);
    route->handler = std::move(handler);
    route->scope = scope;
    if (pattern.empty() || pattern.front() != '/' || pattern.find('?') != std::string_view::npos)
        throw std::logic_error(fmt::format("http route '{}': a pattern is a path", pattern));
    for (auto seg : split_path(pattern)) {
        if (seg.empty())
            throw std::logic_error(fmt::format("http route '{}': empty segment", pattern));
        if (seg.find_first_of("{}") != std::string_view::npos && !is_param(seg))
            throw std::logic_error(fmt::format("http route '{}': bad parameter", pattern));
        route->segments.emplace_back(seg);
    }
    // Same method and same shape (parameters match whatever their names): ambiguous.
    auto same_shape = [&](const Route& r) {
        if (r.segments.size() != route->segments.size()) return false;
        for (std::size_t i = 0; i < r.segments.size(); ++i) {
            bool a = is_param(r.segments[i]), b = is_param(route->segments[i]);
            if (a != b || (!a && r.segments[i] != route->segments[i])) return false;
        }
        return true;
    };
    for (const auto& r : routes_)
        if (r->method == method && same_shape(*r))
            throw std::logic_error(
                fmt::format("http route {} {} is defined twice", verb_name(method), pattern));
    routes_.push_back(std::move(route));
}

Router::Match Router::match(Verb method, std::string_view path, unsigned scopes) const {
    Match out;
    auto segments = split_path(path);
    std::vector<Verb> allowed;
    const Route* head_fallback = nullptr;
    Fields head_params;
    for (const auto& r : routes_) {
        if ((static_cast<unsigned>(r->scope) & scopes) == 0) continue;
        if (r->segments.size() != segments.size()) continue;
        Fields params;
        bool ok = true;
        for (std::size_t i = 0; i < segments.size() && ok; ++i) {
            const std::string& want = r->segments[i];
            if (is_param(want)) {
                auto decoded = percent_decode(segments[i], false);
                ok = decoded && !decoded->empty();
                if (ok) params.emplace_back(want.substr(1, want.size() - 2), std::move(*decoded));
            } else {
                ok = want == segments[i];
            }
        }
        if (!ok) continue;
        if (!out.route) out.route = r.get();  // the path's route, for the 405 label
        if (r->method == method) {
            out.kind = Match::Kind::found;
            out.route = r.get();
            out.params = std::move(params);
            return out;
        }
        if (method == Verb::head && r->method == Verb::get && !head_fallback) {
            head_fallback = r.get();
            head_params = std::move(params);
        }
        allowed.push_back(r->method);
        if (r->method == Verb::get) allowed.push_back(Verb::head);
    }
    if (head_fallback) {
        out.kind = Match::Kind::found;
        out.route = head_fallback;
        out.params = std::move(head_params);
        return out;
    }
    if (allowed.empty()) {
        out.route = nullptr;
        return out;
    }
    std::sort(allowed.begin(), allowed.end(),
              [](Verb a, Verb b) { return verb_name(a) < verb_name(b); });
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    out.kind = Match::Kind::method_not_allowed;
    for (Verb v : allowed) {
        if (!out.allow.empty()) out.allow += ", ";
        out.allow += verb_name(v);
    }
    return out;
}

std::string_view Router::dispatch(HttpRequest& request, unsigned scopes,
                                  HttpResponder respond) const {
    Match m = match(request.method(), request.path(), scopes);
    switch (m.kind) {
        case Match::Kind::found:
            request.set_params(std::move(m.params));
            // Handlers report failures as responses; an exception escaping one is a bug. It
            // costs that request a 500, not the engine its open dialogues and connections.
            // Only the exception's type is logged: its text may quote the request body.
            try {
                m.route->handler(request, respond);
            } catch (const std::exception& e) {
                log::error("http.handler_failed", "route", m.route->pattern, "exception",
                           typeid(e).name());
                respond.send_error(HttpStatus::internal_server_error, "internal",
                                   "the request failed inside the gateway");
            }
            return m.route->pattern;
        case Match::Kind::method_not_allowed: {
            auto res = error_response(HttpStatus::method_not_allowed, "method_not_allowed",
                                      fmt::format("{} is not allowed here; allowed: {}",
                                                  verb_name(request.method()), m.allow));
            res.set(bhttp::field::allow, m.allow);
            respond.send(std::move(res));
            return m.route->pattern;
        }
        case Match::Kind::not_found:
            break;
    }
    respond.send(error_response(HttpStatus::not_found, "not_found", "no such resource"));
    return kUnmatchedRoute;
}

}  // namespace ussdgw::http
