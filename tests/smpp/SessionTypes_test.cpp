// SessionTypes: the names logs and metrics show for states, close reasons, events and send
// errors (each value its own name; a value outside the enum is "?").
#include "smpp/SessionTypes.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

namespace session_types_test {

using namespace ussdgw::smpp;

namespace {

// The names of enumerators 0..count-1 are all different and none is "?"; count is "?".
template <typename E, typename F>
void check_names(F name, int count) {
    std::set<std::string> seen;
    for (int i = 0; i < count; ++i) {
        const std::string n = name(static_cast<E>(i));
        INFO("value ", i, " named ", n);
        CHECK(n != "?");
        CHECK_FALSE(n.empty());
        CHECK(seen.insert(n).second);
    }
    CHECK(std::string(name(static_cast<E>(count))) == "?");
}

}  // namespace

TEST_CASE("state_name") {
    check_names<SessionState>(state_name, 7);
    CHECK(std::string(state_name(SessionState::bound_trx)) == "bound_trx");
    CHECK(std::string(state_name(SessionState::closed)) == "closed");
}

TEST_CASE("close_reason_name") {
    check_names<CloseReason>(close_reason_name, 10);
    CHECK(std::string(close_reason_name(CloseReason::peer_silent)) == "peer_silent");
    CHECK(std::string(close_reason_name(CloseReason::transport)) == "transport");
}

TEST_CASE("event_name") {
    check_names<EventKind>(event_name, 9);
    CHECK(std::string(event_name(EventKind::response_timeout)) == "response_timeout");
    CHECK(std::string(event_name(EventKind::late_expired)) == "late_expired");
}

TEST_CASE("send_error_name") {
    check_names<SendError>(send_error_name, 6);
    CHECK(std::string(send_error_name(SendError::window_full)) == "window_full");
    CHECK(std::string(send_error_name(SendError::none)) == "none");
}

}  // namespace session_types_test
