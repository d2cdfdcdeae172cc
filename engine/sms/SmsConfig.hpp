// engine/sms: the [sms] settings (how the outbox is sent), filled by
// engine/config/GatewaySections. Which links an SMS may leave on is not here: every client
// link with the "sms" role and every listener account with outgoing_sms (see SmsService).
#pragma once

#include <chrono>
#include <string>

namespace ussdgw::sms {

struct SmsConfig {
    std::string source_address = "A1";  // alphanumeric (TON 5) or digits (TON 1)
    std::string service_type;
    bool request_receipts = true;
    // Relative validity_period of every SMS (SMPP 3.4 7.1.1); 0 = the SMSC's default.
    std::chrono::seconds validity_period{std::chrono::hours(4)};
    std::chrono::milliseconds poll_interval{1000};
    int batch = 50;                                  // messages claimed per poll
    int max_in_flight = 200;                         // messages being submitted at once
    std::chrono::milliseconds throttle_pause{2000};  // after ESME_RTHROTTLED / RMSGQFUL
    // Integrators' receipts (the listener's sms role): a receipt whose deliver_sm got no
    // answer, a refusal, or whose session was lost is sent again after this pause.
    std::chrono::milliseconds receipt_retry{10000};
};

}  // namespace ussdgw::sms
