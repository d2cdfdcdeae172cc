// engine/sms: which way an SMS leaves, and when a part that got no answer may go again.
// Sans-I/O: `SmsService` feeds it the state of every way out and the time.
//
// The ways out are every client link with the "sms" role and every listener account with
// outgoing_sms (its bound receiver / transceiver sessions take the SMS as deliver_sm). The
// policy is a plain round robin over the ways that are up and have room, beginning after
// the one chosen last, so traffic spreads evenly and a way that goes down is skipped until
// it is back. A part whose connection was lost while it waited for its response may still
// have been taken by the SMSC: it goes again (on any way) only once its response timeout
// has passed since it was sent, so no part is sent twice while the first send may still be
// answered. A part never written goes again at once; one whose response timed out has
// waited already (and SmsService waits out its late window, the session's, besides).
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ussdgw::sms {

struct SmsRoute {
    enum class Kind { client_link, account } kind = Kind::client_link;
    std::string name;  // link name, or the account's system_id
    auto operator<=>(const SmsRoute&) const = default;
};
const char* route_kind_name(SmsRoute::Kind k);

struct RouteState {
    SmsRoute route;
    bool up = false;       // bound (an account: at least one receiver/transceiver session)
    std::size_t busy = 0;  // parts sent on it and not answered yet
    std::size_t room = 0;  // parts it may hold unanswered (window and queue)
};

class SmsLinkChooser {
  public:
    // The next route after the last chosen that is up and has room; none when no route can
    // take a part now.
    std::optional<SmsRoute> choose(const std::vector<RouteState>& routes);

  private:
    std::optional<SmsRoute> last_;
};

// Why a part got no answer.
enum class NoAnswer {
    not_sent,         // it was never written (link not bound, queue full, ...)
    timed_out,        // no response within the response timeout
    connection_lost,  // its connection closed while the response was awaited
};

// The earliest time a part with no answer may be sent again (on any route).
std::chrono::steady_clock::time_point retry_not_before(
    NoAnswer why, std::chrono::steady_clock::time_point sent_at,
    std::chrono::milliseconds response_timeout, std::chrono::steady_clock::time_point now);

}  // namespace ussdgw::sms
