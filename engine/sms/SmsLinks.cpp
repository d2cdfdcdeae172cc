#include "engine/sms/SmsLinks.hpp"

#include <algorithm>

namespace ussdgw::sms {

const char* route_kind_name(SmsRoute::Kind k) {
    return k == SmsRoute::Kind::client_link ? "link" : "account";
}

std::optional<SmsRoute> SmsLinkChooser::choose(const std::vector<RouteState>& routes) {
    if (routes.empty()) return std::nullopt;
    std::size_t start = 0;
    if (last_) {
        auto it = std::find_if(routes.begin(), routes.end(),
                               [&](const RouteState& r) { return r.route == *last_; });
        if (it != routes.end()) start = static_cast<std::size_t>(it - routes.begin()) + 1;
    }
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const RouteState& r = routes[(start + i) % routes.size()];
        if (r.up && r.busy < r.room) {
            last_ = r.route;
            return r.route;
        }
    }
    return std::nullopt;
}

std::chrono::steady_clock::time_point retry_not_before(
    NoAnswer why, std::chrono::steady_clock::time_point sent_at,
    std::chrono::milliseconds response_timeout, std::chrono::steady_clock::time_point now) {
    if (why != NoAnswer::connection_lost) return now;
    return std::max(now, sent_at + response_timeout);
}

}  // namespace ussdgw::sms
