// HttpUssdSessions: the aggregator convention of USSD over HTTP as a sans-I/O state machine,
// one per aggregator account (ingress "http:<account>").
//
// An aggregator POSTs one request per step: `sessionId`, `serviceCode` (the dialled code),
// `phoneNumber`, `networkCode` and `text`, all the subscriber's answers so far joined by `*`
// ("" on the first request). This core turns requests into the USSD core's neutral events
// (engine/ussd/UssdIngress.hpp) and the core's screens into the bodies the aggregator
// expects, `CON <screen>` (the dialogue goes on) or `END <screen>` (final):
// - a new sessionId begins a dialogue (a first text that is not empty is a shortcut: code
//   `*141#` with text `3*6` dials `*141*3*6#`); an open session of the same phone number on
//   this account is released first (a phone holds one USSD session);
// - a text that extends the session's last one by `*<answer>` answers the screen shown;
// - a repeat (same sessionId, same text, as aggregators resend on their own timeout) gets
//   the same body and applies nothing again, also while the step is still pending: every
//   request waiting for the step gets the one answer;
// - any other text (not extending the last one, or a new step before the pending one was
//   answered) ends the session: the core's dialogue is released and the answer is END with
//   the menus' "invalid request" text;
// - a step not answered within `step_deadline` (aggregators give up after about 10 s) gets
//   END with the menus' "try later" text and the dialogue is released, which annuls the
//   step's unfinished actions;
// - an open session with no request for `idle_timeout` is released and forgotten; an ended
//   one is kept `repeat_window` for repeats, then forgotten;
// - at most `max_sessions` sessions are held: ended ones make room first (oldest first);
//   beyond, a new session is refused with END "try later" and nothing reaches the core.
// Requests are identified by the shell's `RequestId`; answers come out as `Reply` items.
// Time is passed in; `next_deadline` tells the shell when to call `on_timer`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/http/HttpMessage.hpp"
#include "engine/ussd/UssdIngress.hpp"

namespace ussdgw::http {

using UssdClock = std::chrono::steady_clock;
using UssdTime = UssdClock::time_point;

// One step as the aggregator sent it, checked.
struct HttpUssdRequest {
    std::string session_id;
    std::string service_code;  // "*141#"
    std::string phone_number;  // international digits, the leading '+' dropped
    std::string network_code;  // as sent ("" when absent); reported, not used
    std::string text;          // answers so far joined by '*'
};

// The request's fields (form or JSON); errors "ussd.missing_field" / "ussd.bad_field" whose
// message names the field.
Result<HttpUssdRequest> read_http_ussd_request(const Fields& fields);

struct HttpUssdLimits {
    std::chrono::milliseconds step_deadline{9'000};
    std::chrono::milliseconds idle_timeout{180'000};
    std::chrono::milliseconds repeat_window{30'000};
    std::size_t max_sessions = 100'000;
};

// Texts the ingress shows itself, in the subscriber's language (the shell asks the menus).
enum class HttpUssdNotice { try_later, invalid_request };
using HttpUssdNoticeText =
    std::function<std::string(HttpUssdNotice, const std::string& subscriber)>;

class HttpUssdSessions {
  public:
    using RequestId = std::uint64_t;
    // How a request was answered (the metrics label of each).
    enum class Outcome { continued, ended, repeated, deadline, out_of_order, conflict, refused };
    struct Reply {
        RequestId request = 0;
        std::string body;  // "CON ..." or "END ..."
        Outcome outcome = Outcome::continued;
    };
    using CoreEvent = std::variant<ussd::UssdBegin, ussd::UssdAnswer, ussd::UssdRelease>;
    struct Actions {
        std::vector<CoreEvent> to_core;  // in order
        std::vector<Reply> replies;
    };

    HttpUssdSessions(std::string ingress, HttpUssdLimits limits, HttpUssdNoticeText notice);

    void on_request(RequestId id, HttpUssdRequest request, UssdTime now, Actions& out);
    // A screen of the core for this ingress (other ingresses' keys are ignored).
    void on_screen(const ussd::UssdScreen& screen, UssdTime now, Actions& out);
    void on_timer(UssdTime now, Actions& out);
    // Shutdown: waiting requests get END "try later", open dialogues are released.
    void shutdown(Actions& out);

    std::optional<UssdTime> next_deadline() const;
    std::size_t size() const { return sessions_.size(); }
    const std::string& ingress() const { return ingress_; }

    static std::string_view outcome_name(Outcome o);

  private:
    enum class State { pending, open, ended };
    struct Waiter {
        RequestId id;
        bool repeat;
    };
    struct Session;
    using Table = std::unordered_map<std::string, Session>;
    using Node = Table::value_type;  // stable address while in the table
    using Queue = std::list<Node*>;
    struct Session {
        std::string phone;
        std::string text;  // the text of the last step applied
        std::string body;  // its answer, once there ("" while pending)
        std::vector<Waiter> waiting;
        State state = State::pending;
        UssdTime due;            // step deadline, idle limit or end of the repeat window
        Queue::iterator queued;  // its place in the queue of its state
    };

    void begin(RequestId id, HttpUssdRequest&& r, UssdTime now, Actions& out);
    // Gives every waiting request `body` and moves the session to `state`.
    void settle(Node& n, State state, std::string body, Outcome outcome, UssdTime now,
                Actions& out);
    // Releases the dialogue (unless it ended) and settles the session with END `notice`.
    void end_with(Node& n, HttpUssdNotice notice, Outcome outcome, UssdTime now, Actions& out);
    void enqueue(Node& n, State state, UssdTime now);
    void erase(Node& n);
    Queue& queue_of(State s) { return queues_[static_cast<int>(s)]; }
    ussd::IngressKey key(const std::string& id) const { return {ingress_, id}; }

    std::string ingress_;
    HttpUssdLimits limits_;
    HttpUssdNoticeText notice_;
    Table sessions_;
    std::unordered_map<std::string, std::string> live_by_phone_;  // phone -> its live session
    // One queue per state, in due order (the due time is now + a constant per state).
    Queue queues_[3];
};

}  // namespace ussdgw::http
