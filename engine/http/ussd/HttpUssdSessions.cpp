#include "engine/http/ussd/HttpUssdSessions.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ussdgw::http {

namespace {

constexpr std::size_t kMaxSessionId = 128;
constexpr std::size_t kMaxServiceCode = 64;
constexpr std::size_t kMaxNetworkCode = 32;
constexpr std::size_t kMaxText = 1024;

const std::string* field(const Fields& fields, std::string_view name) {
    for (const auto& [k, v] : fields)
        if (k == name) return &v;
    return nullptr;
}

bool printable_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

Failure bad(std::string_view name, std::string_view why) {
    return fail("ussd.bad_field", fmt::format("field '{}' {}", name, why));
}

// "*141#" + "3*6" -> "*141*3*6#": a first request whose text is not empty is a shortcut.
std::string dialled(const std::string& code, const std::string& text) {
    if (text.empty()) return code;
    std::string_view c = code;
    if (!c.empty() && c.back() == '#') c.remove_suffix(1);
    return fmt::format("{}*{}#", c, text);
}

}  // namespace

Result<HttpUssdRequest> read_http_ussd_request(const Fields& fields) {
    HttpUssdRequest r;
    for (auto name : {"sessionId", "serviceCode", "phoneNumber"})
        if (!field(fields, name))
            return fail("ussd.missing_field", fmt::format("field '{}' is missing", name));
    r.session_id = *field(fields, "sessionId");
    r.service_code = *field(fields, "serviceCode");
    std::string_view phone = *field(fields, "phoneNumber");
    if (auto* v = field(fields, "networkCode")) r.network_code = *v;
    if (auto* v = field(fields, "text")) r.text = *v;

    if (r.session_id.empty() || r.session_id.size() > kMaxSessionId ||
        !printable_ascii(r.session_id))
        return bad("sessionId", "must be 1 to 128 printable ASCII characters");
    if (r.service_code.empty() || r.service_code.size() > kMaxServiceCode ||
        r.service_code.find_first_not_of("0123456789*#") != std::string::npos)
        return bad("serviceCode", "must be a USSD code of digits, '*' and '#'");
    if (!phone.empty() && phone.front() == '+') phone.remove_prefix(1);
    if (phone.size() < 5 || phone.size() > 15 ||
        phone.find_first_not_of("0123456789") != std::string_view::npos)
        return bad("phoneNumber", "must be 5 to 15 digits, optionally after '+'");
    r.phone_number = std::string(phone);
    if (r.network_code.size() > kMaxNetworkCode || !printable_ascii(r.network_code))
        return bad("networkCode", "must be at most 32 printable ASCII characters");
    if (r.text.size() > kMaxText || std::any_of(r.text.begin(), r.text.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        }))
        return bad("text", "must be at most 1024 bytes with no control characters");
    return r;
}

HttpUssdSessions::HttpUssdSessions(std::string ingress, HttpUssdLimits limits,
                                   HttpUssdNoticeText notice)
    : ingress_(std::move(ingress)), limits_(limits), notice_(std::move(notice)) {}

std::string_view HttpUssdSessions::outcome_name(Outcome o) {
    switch (o) {
        case Outcome::continued:
            return "continued";
        case Outcome::ended:
            return "ended";
        case Outcome::repeated:
            return "repeated";
        case Outcome::deadline:
            return "deadline";
        case Outcome::out_of_order:
            return "out_of_order";
        case Outcome::conflict:
            return "conflict";
        case Outcome::refused:
            return "refused";
    }
    return "unknown";
}

void HttpUssdSessions::on_request(RequestId id, HttpUssdRequest r, UssdTime now, Actions& out) {
    auto it = sessions_.find(r.session_id);
    if (it == sessions_.end()) return begin(id, std::move(r), now, out);
    Node& n = *it;
    Session& s = n.second;
    if (s.phone != r.phone_number) {
        // Another phone on a known session: refused, the session is left alone.
        out.replies.push_back({id,
                               "END " + notice_(HttpUssdNotice::invalid_request, r.phone_number),
                               Outcome::conflict});
        return;
    }
    if (r.text == s.text) {
        if (s.state == State::pending)
            s.waiting.push_back({id, true});
        else
            out.replies.push_back({id, s.body, Outcome::repeated});
        return;
    }
    if (s.state == State::ended) {
        out.replies.push_back({id, "END " + notice_(HttpUssdNotice::invalid_request, s.phone),
                               Outcome::out_of_order});
        return;
    }
    bool extends = s.state == State::open &&
                   (s.text.empty() || (r.text.size() > s.text.size() &&
                                       r.text.compare(0, s.text.size(), s.text) == 0 &&
                                       r.text[s.text.size()] == '*'));
    // The answer is all that follows the previous text and its '*' ('*'s included: one
    // request is one step, and an answer may contain '*').
    std::string answer;
    if (extends) answer = s.text.empty() ? r.text : r.text.substr(s.text.size() + 1);
    s.text = std::move(r.text);
    s.waiting.push_back({id, false});
    if (!extends)
        return end_with(n, HttpUssdNotice::invalid_request, Outcome::out_of_order, now, out);
    s.body.clear();
    enqueue(n, State::pending, now);
    out.to_core.emplace_back(ussd::UssdAnswer{key(n.first), std::move(answer)});
}

void HttpUssdSessions::begin(RequestId id, HttpUssdRequest&& r, UssdTime now, Actions& out) {
    if (auto live = live_by_phone_.find(r.phone_number); live != live_by_phone_.end()) {
        // A phone holds one USSD session: its older one on this account ends.
        if (auto old = sessions_.find(live->second); old != sessions_.end())
            end_with(*old, HttpUssdNotice::try_later, Outcome::ended, now, out);
    }
    if (sessions_.size() >= limits_.max_sessions) {
        auto& ended = queue_of(State::ended);
        if (ended.empty()) {
            out.replies.push_back({id, "END " + notice_(HttpUssdNotice::try_later, r.phone_number),
                                   Outcome::refused});
            return;
        }
        erase(*ended.front());  // the oldest ended session makes room
    }
    auto [it, inserted] = sessions_.try_emplace(r.session_id);
    Node& n = *it;
    Session& s = n.second;
    s.phone = r.phone_number;
    s.text = r.text;
    s.waiting.push_back({id, false});
    s.queued = queue_of(State::pending).end();
    enqueue(n, State::pending, now);
    live_by_phone_[s.phone] = n.first;
    std::string dial = dialled(r.service_code, r.text);
    out.to_core.emplace_back(
        ussd::UssdBegin{key(n.first), s.phone, std::move(r.service_code), std::move(dial)});
}

void HttpUssdSessions::on_screen(const ussd::UssdScreen& screen, UssdTime now, Actions& out) {
    if (screen.key.ingress != ingress_) return;
    auto it = sessions_.find(screen.key.session);
    // Late (the step's deadline passed and the dialogue was released) or unknown: dropped.
    if (it == sessions_.end() || it->second.state != State::pending) return;
    if (screen.final) {
        settle(*it, State::ended, "END " + screen.text, Outcome::ended, now, out);
    } else {
        settle(*it, State::open, "CON " + screen.text, Outcome::continued, now, out);
    }
}

void HttpUssdSessions::settle(Node& n, State state, std::string body, Outcome outcome, UssdTime now,
                              Actions& out) {
    Session& s = n.second;
    s.body = std::move(body);
    for (const Waiter& w : s.waiting)
        out.replies.push_back({w.id, s.body, w.repeat ? Outcome::repeated : outcome});
    s.waiting.clear();
    if (state == State::ended) {
        auto live = live_by_phone_.find(s.phone);
        if (live != live_by_phone_.end() && live->second == n.first) live_by_phone_.erase(live);
    }
    enqueue(n, state, now);
}

void HttpUssdSessions::end_with(Node& n, HttpUssdNotice notice, Outcome outcome, UssdTime now,
                                Actions& out) {
    if (n.second.state != State::ended) out.to_core.emplace_back(ussd::UssdRelease{key(n.first)});
    settle(n, State::ended, "END " + notice_(notice, n.second.phone), outcome, now, out);
}

void HttpUssdSessions::enqueue(Node& n, State state, UssdTime now) {
    Session& s = n.second;
    if (s.queued != queue_of(s.state).end()) queue_of(s.state).erase(s.queued);
    s.state = state;
    switch (state) {
        case State::pending:
            s.due = now + limits_.step_deadline;
            break;
        case State::open:
            s.due = now + limits_.idle_timeout;
            break;
        case State::ended:
            s.due = now + limits_.repeat_window;
            break;
    }
    auto& q = queue_of(state);
    s.queued = q.insert(q.end(), &n);
}

void HttpUssdSessions::erase(Node& n) {
    Session& s = n.second;
    queue_of(s.state).erase(s.queued);
    auto live = live_by_phone_.find(s.phone);
    if (live != live_by_phone_.end() && live->second == n.first) live_by_phone_.erase(live);
    sessions_.erase(n.first);
}

void HttpUssdSessions::on_timer(UssdTime now, Actions& out) {
    auto& pending = queue_of(State::pending);
    while (!pending.empty() && pending.front()->second.due <= now)
        end_with(*pending.front(), HttpUssdNotice::try_later, Outcome::deadline, now, out);
    auto& open = queue_of(State::open);
    while (!open.empty() && open.front()->second.due <= now) {
        Node& n = *open.front();
        out.to_core.emplace_back(ussd::UssdRelease{key(n.first)});
        erase(n);
    }
    auto& ended = queue_of(State::ended);
    while (!ended.empty() && ended.front()->second.due <= now)
        erase(*ended.front());
}

void HttpUssdSessions::shutdown(Actions& out) {
    for (auto& n : sessions_) {
        Session& s = n.second;
        if (s.state == State::ended) continue;
        out.to_core.emplace_back(ussd::UssdRelease{key(n.first)});
        std::string body = "END " + notice_(HttpUssdNotice::try_later, s.phone);
        for (const Waiter& w : s.waiting)
            out.replies.push_back({w.id, body, Outcome::deadline});
    }
    sessions_.clear();
    live_by_phone_.clear();
    for (auto& q : queues_)
        q.clear();
}

std::optional<UssdTime> HttpUssdSessions::next_deadline() const {
    std::optional<UssdTime> next;
    for (const auto& q : queues_)
        if (!q.empty() && (!next || q.front()->second.due < *next)) next = q.front()->second.due;
    return next;
}

}  // namespace ussdgw::http
