// engine/sms: an integrator's SMS (the listener's "sms" role), sans-I/O. What is read from
// its submit_sm / data_sm (refused with the SMPP status that says what is wrong), the
// opaque body the outbox keeps for it (sealed at rest there), the submit_sm parts it leaves
// as on an SMS link, and the delivery receipt that goes back to the integrator as deliver_sm.
//
// Parts: a message the integrator concatenated itself (UDHI set) or that fits one SMS (160
// octets of GSM 7-bit / IA5 septets, 140 of anything else) leaves as it came, one submit_sm,
// data_coding, esm_class and sar TLVs kept; a longer one (message_payload) is split with
// the engine's GSM code into concatenated parts, GSM 7-bit staying GSM 7-bit (its
// data_coding byte kept) and UCS2 staying UCS2; other alphabets are re-encoded (GSM 7-bit
// when the text fits, else UCS2). The parts ask for a receipt as [sms] request_receipts
// says (the engine needs them to know the outcome); the integrator gets its own receipt only
// when its registered_delivery asked for one. Bodies are never logged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/Result.hpp"
#include "engine/sms/SmsConfig.hpp"
#include "smpp/Pdu.hpp"
#include "storage/SmsOutbox.hpp"

namespace ussdgw::sms {

struct IntegratorSms {
    std::string service_type;
    smpp::Address source;
    smpp::Address destination;
    std::uint8_t esm_class = 0;
    std::uint8_t protocol_id = 0;
    std::uint8_t priority_flag = 0;
    std::string validity_period;
    std::uint8_t registered_delivery = 0;
    std::uint8_t data_coding = 0;
    std::string octets;  // short_message, or message_payload
    std::optional<std::uint16_t> sar_msg_ref_num;
    std::optional<std::uint8_t> sar_total_segments;
    std::optional<std::uint8_t> sar_segment_seqnum;
    friend bool operator==(const IntegratorSms&, const IntegratorSms&) = default;
};

// Why a request is refused: the command_status to answer with and a word for the log.
struct SmsRefusal {
    std::uint32_t status = smpp::status::syserr;
    const char* reason = "";
};

// The SMS of a submit_sm or data_sm. Refused: a destination that is not a subscriber's
// number (ESME_RINVDSTADR), an esm_class of a receipt or acknowledgement
// (ESME_RINVESMCLASS), no text or too long a text (ESME_RINVMSGLEN), a scheduled
// delivery (ESME_RINVSCHED: not offered), a long text in a data_coding that cannot be split
// (ESME_RINVMSGLEN), anything but submit_sm / data_sm (ESME_RINVCMDID).
Result<IntegratorSms, SmsRefusal> read_integrator_sms(const smpp::Pdu& request);

// The outbox's opaque body for it, and back ("sms.body" when it cannot be read).
std::string encode_body(const IntegratorSms& sms);
Result<IntegratorSms> decode_body(std::string_view body);

// The submit_sm parts it leaves as (see above); `ref` is the concatenation reference.
Result<std::vector<smpp::SubmitSm>> integrator_parts(const SmsConfig& cfg, const IntegratorSms& sms,
                                                     std::uint8_t ref);

// The outbox row to queue for listener account `account` under `message_id`.
storage::ClientSms client_sms(const IntegratorSms& sms, const std::string& account,
                              const std::string& message_id, storage::Msisdn msisdn);

// The receipt as the integrator gets it: deliver_sm with esm_class 0x04 (SMSC delivery
// receipt), TLVs receipted_message_id (our id) and message_state, and the classic text
// "id:... sub:... dlvrd:... submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:... err:...
// text:" (the text itself is not kept: bodies are erased once final).
smpp::DeliverSm receipt_deliver_sm(const storage::ClientReceipt& r);
// The message_state TLV value of a receipt stat word (SMPP 3.4 5.2.28).
std::uint8_t message_state_of(std::string_view stat);

}  // namespace ussdgw::sms
