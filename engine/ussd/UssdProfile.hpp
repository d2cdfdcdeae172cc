// How USSD is carried over SMPP on one link or listener account (SPEC 3): the plain settings
// of `SmppUssdIngress`, filled by engine/config/GatewaySections from [ussd], [[ussd.link]]
// and [[ussd.account]].
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "smpp/Pdu.hpp"

namespace ussdgw::ussd {

// How dialogues are told apart (SPEC 3: its_session_info when the network sends it, else
// subscriber and link; some networks use user_message_reference).
enum class SessionKeyMode { automatic, its_session_info, user_message_reference, msisdn };

// Which PDU carries the engine's replies to a USSD centre bound to the listener.
enum class ReplyCommand { deliver_sm, data_sm };

struct UssdProfile {
    std::string service_type = "USSD";
    std::uint8_t op_begin = smpp::ussd_op::pssr_indication;  // 1
    std::uint8_t op_answer = smpp::ussd_op::ussr_confirm;    // 18
    std::uint8_t op_continue = smpp::ussd_op::ussr_request;  // 2
    std::uint8_t op_end = smpp::ussd_op::pssr_response;      // 17
    // Ops from the network that release/abort a dialogue (vendor values, e.g. 0x81).
    std::vector<std::uint8_t> release_ops{0x20, 0x21, 0x22, 0x81, 0x82};
    SessionKeyMode session_key = SessionKeyMode::automatic;
    // Source address of replies; empty: the destination address of the request (the code).
    std::string reply_source_address;
    // Put reply text in message_payload instead of short_message.
    bool reply_in_payload = false;
    // data_coding of screens in the GSM 7-bit alphabet: 0x00 (SMSC default alphabet) or 0x0F
    // (both as unpacked septets), or 0x01 (IA5: ASCII bytes; other screens go as UCS2).
    std::uint8_t gsm7_data_coding = 0x00;
    // Listener accounts only: replies as deliver_sm or data_sm (client links send submit_sm).
    ReplyCommand reply_command = ReplyCommand::deliver_sm;
};

struct UssdConfig {
    // Event-loop threads for the client links whose only role is ussd, each such link with its
    // dialogues on one of them (the Engine's; engine/LinkLoop.hpp); 0: all on the main loop.
    std::uint32_t loop_threads = 0;
    UssdProfile defaults;                         // [ussd]
    std::map<std::string, UssdProfile> links;     // [[ussd.link]] by client link name
    std::map<std::string, UssdProfile> accounts;  // [[ussd.account]] by listener system_id
    const UssdProfile& link_profile(const std::string& link) const {
        auto it = links.find(link);
        return it == links.end() ? defaults : it->second;
    }
    const UssdProfile& account_profile(const std::string& system_id) const {
        auto it = accounts.find(system_id);
        return it == accounts.end() ? defaults : it->second;
    }
};

}  // namespace ussdgw::ussd
