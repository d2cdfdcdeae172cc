// SmppConfig: the plain settings of the SMPP layer (no TOML here; engine/config/SmppSection
// fills these from the [smpp] section of conf/ussdgw.toml).
//
// `ClientLinkConfig` is one outgoing ESME link ([[smpp.client]]), `ServerConfig` the SMSC-role
// listener ([smpp.server]) with its `AccountConfig`s ([[smpp.server.account]]). Durations are
// milliseconds; a throughput of 0 means unlimited.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/Secret.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::smpp {

using Millis = std::chrono::milliseconds;

// Timers and limits shared by both roles (the [smpp] top-level keys are their defaults).
struct LinkTimers {
    Millis enquire_link_interval{30'000};  // send enquire_link after this long without traffic
    Millis response_timeout{10'000};       // per outstanding request
    Millis inactivity_timeout{90'000};     // peer silent this long -> close (0 = never)
    Millis bind_timeout{10'000};           // server: a connection must bind within this
    Millis unbind_timeout{2'000};          // wait for unbind_resp before closing
};

struct ClientLinkConfig {
    std::string name = "ussdc";
    std::string host = "127.0.0.1";
    std::uint16_t port = 2775;
    BindType bind = BindType::transceiver;
    std::string system_id = "ussdgw";
    Secret password{"ussdgw"};
    std::string system_type;
    std::uint8_t interface_version = 0x34;
    Address address_range;
    std::uint32_t window = 100;           // our requests outstanding at the peer
    std::uint32_t receive_window = 1000;  // the peer's requests the application holds
                                          // unanswered (beyond: ESME_RTHROTTLED)
    double throughput = 0;                // outgoing requests per second, 0 = unlimited
    std::uint32_t queue_limit = 10'000;   // submits waiting for the window/throughput
    Millis reconnect_min{1'000};
    Millis reconnect_max{60'000};
    LinkTimers timers;
    std::vector<std::string> roles;  // what the application uses it for: "ussd", "sms"
    bool required = true;            // the engine is not ready (/readyz) while this link is unbound
};

struct AccountConfig {
    std::string system_id;
    Secret password;
    std::vector<std::string> allowed_addresses;  // peer IPs; empty = any
    std::vector<BindType> bind_types;            // allowed bind types; empty = any
    std::uint32_t max_binds = 4;                 // simultaneous bound sessions of this account
    double throughput = 0;                       // incoming requests per second, 0 = unlimited
    std::vector<std::string> roles;  // what its requests may ask for: "ussd", "sms"; a request
                                     // needing a role the account lacks is refused
    // The engine's own SMS (password SMS) may leave as deliver_sm on this account's bound
    // receiver / transceiver sessions (a peer that delivers them on); its delivery receipts
    // are then accepted from it whatever its roles.
    bool outgoing_sms = false;
    // The "sms" role (read by engine/sms/SmppSmsIngress): SMS accepted per second from all
    // of the account's sessions together (0 = unlimited; beyond: ESME_RTHROTTLED), and the
    // account's SMS waiting to leave at most (beyond: ESME_RMSGQFUL).
    double sms_throughput = 0;
    std::uint32_t sms_max_queued = 10'000;
};

// Repeated bind failures, counted per peer address and per account (see BindGuard).
struct BindGuardConfig {
    Millis window{15 * 60'000};                // a count is forgotten this long after its
                                               // last failure
    std::uint32_t slowdown_after = 3;          // failures before answers are delayed (0 = never)
    Millis slowdown{1'000};                    // the first delay; doubles per further failure
    Millis max_delay{10'000};                  // the longest delay (the server's bind_timeout)
    std::uint32_t lockout_after = 10;          // failures of an address before its binds are
                                               // refused outright (0 = never)
    std::uint32_t account_lockout_after = 30;  // the same for an account (0 = never)
    std::size_t max_addresses = 10'000;        // addresses remembered (the oldest forgotten)
};

struct ServerConfig {
    bool enabled = false;
    std::string host = "127.0.0.1";
    std::uint16_t port = 2776;                  // 0 = an ephemeral port (tests)
    std::string system_id = "ussdgw";           // sent in bind_resp
    std::uint32_t max_connections = 100;        // bound or not
    std::uint32_t max_unbound = 20;             // connections not bound (yet), overall
    std::uint32_t max_unbound_per_address = 5;  // ... and from one peer address
    BindGuardConfig bind_guard;
    std::uint32_t window = 100;           // per session: our deliver_sm outstanding
    std::uint32_t receive_window = 1000;  // per session: received requests the application
                                          // holds unanswered (beyond: ESME_RTHROTTLED)
    LinkTimers timers;
    std::vector<AccountConfig> accounts;
};

struct SmppConfig {
    std::vector<ClientLinkConfig> clients;
    ServerConfig server;
};

}  // namespace ussdgw::smpp
