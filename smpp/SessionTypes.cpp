#include "smpp/SessionTypes.hpp"

namespace ussdgw::smpp {

const char* state_name(SessionState s) {
    switch (s) {
        case SessionState::open:
            return "open";
        case SessionState::binding:
            return "binding";
        case SessionState::bound_tx:
            return "bound_tx";
        case SessionState::bound_rx:
            return "bound_rx";
        case SessionState::bound_trx:
            return "bound_trx";
        case SessionState::unbinding:
            return "unbinding";
        case SessionState::closed:
            return "closed";
    }
    return "?";
}

const char* close_reason_name(CloseReason r) {
    switch (r) {
        case CloseReason::none:
            return "none";
        case CloseReason::unbound:
            return "unbound";
        case CloseReason::peer_unbound:
            return "peer_unbound";
        case CloseReason::bind_failed:
            return "bind_failed";
        case CloseReason::bind_timeout:
            return "bind_timeout";
        case CloseReason::peer_silent:
            return "peer_silent";
        case CloseReason::unframeable:
            return "unframeable";
        case CloseReason::output_overflow:
            return "output_overflow";
        case CloseReason::local:
            return "local";
        case CloseReason::transport:
            return "transport";
    }
    return "?";
}

const char* event_name(EventKind k) {
    switch (k) {
        case EventKind::bound:
            return "bound";
        case EventKind::bind_failed:
            return "bind_failed";
        case EventKind::request:
            return "request";
        case EventKind::response:
            return "response";
        case EventKind::response_timeout:
            return "response_timeout";
        case EventKind::peer_unbound:
            return "peer_unbound";
        case EventKind::closed:
            return "closed";
        case EventKind::late_expired:
            return "late_expired";
        case EventKind::outbind:
            return "outbind";
    }
    return "?";
}

const char* send_error_name(SendError e) {
    switch (e) {
        case SendError::none:
            return "none";
        case SendError::not_bound:
            return "not_bound";
        case SendError::window_full:
            return "window_full";
        case SendError::throttled:
            return "throttled";
        case SendError::output_full:
            return "output_full";
        case SendError::invalid:
            return "invalid";
    }
    return "?";
}

}  // namespace ussdgw::smpp
