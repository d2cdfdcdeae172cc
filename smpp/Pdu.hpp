// smpp/: the SMPP 3.4 layer.
//
// Three parts, each testable alone. `Pdu.hpp` (this file) holds our own C++ types for
// every PDU the engine meets; nothing outside the codec's files (PduDecoder.cpp,
// PduEncoder.cpp, detail/LibSmpp34) ever sees a libsmpp34 struct. `PduCodec` turns bytes
// into `Pdu` values and back with no socket in sight: it checks every frame itself before
// libsmpp34 is handed it. `SmppSession` is a plain state machine per connection (binding,
// bound, unbinding; sequence numbers, windows, timers) fed bytes and time, returning bytes
// to send and events. The Asio shell (`SmppConnection`, one per TCP connection, owned by a
// client link or the server listener) only moves bytes and runs timers, and reports to the
// engine through one interface, `SmppApplication`; `SmppService` wires them together.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ussdgw::smpp {

// command_id values (SMPP 3.4 section 5.1.2.1).
enum class CommandId : std::uint32_t {
    generic_nack = 0x80000000,
    bind_receiver = 0x00000001,
    bind_receiver_resp = 0x80000001,
    bind_transmitter = 0x00000002,
    bind_transmitter_resp = 0x80000002,
    submit_sm = 0x00000004,
    submit_sm_resp = 0x80000004,
    deliver_sm = 0x00000005,
    deliver_sm_resp = 0x80000005,
    unbind = 0x00000006,
    unbind_resp = 0x80000006,
    bind_transceiver = 0x00000009,
    bind_transceiver_resp = 0x80000009,
    outbind = 0x0000000B,
    enquire_link = 0x00000015,
    enquire_link_resp = 0x80000015,
    data_sm = 0x00000103,
    data_sm_resp = 0x80000103,
};

constexpr bool is_response(std::uint32_t command_id) {
    return (command_id & 0x80000000u) != 0;
}
constexpr bool is_bind(std::uint32_t command_id) {
    return command_id == static_cast<std::uint32_t>(CommandId::bind_receiver) ||
           command_id == static_cast<std::uint32_t>(CommandId::bind_transmitter) ||
           command_id == static_cast<std::uint32_t>(CommandId::bind_transceiver);
}
const char* command_name(std::uint32_t command_id);  // "submit_sm", or "unknown"

// command_status values the engine uses (SMPP 3.4 section 5.1.3). Peers may send any
// 32-bit value (vendor codes included); it is carried as a plain integer.
namespace status {
constexpr std::uint32_t ok = 0x00;
constexpr std::uint32_t invmsglen = 0x01;
constexpr std::uint32_t invcmdlen = 0x02;
constexpr std::uint32_t invcmdid = 0x03;
constexpr std::uint32_t invbndsts = 0x04;
constexpr std::uint32_t alybnd = 0x05;
constexpr std::uint32_t syserr = 0x08;
constexpr std::uint32_t invsrcadr = 0x0A;
constexpr std::uint32_t invdstadr = 0x0B;
constexpr std::uint32_t invmsgid = 0x0C;
constexpr std::uint32_t bindfail = 0x0D;
constexpr std::uint32_t invpaswd = 0x0E;
constexpr std::uint32_t invsysid = 0x0F;
constexpr std::uint32_t msgqful = 0x14;
constexpr std::uint32_t invsertyp = 0x15;
constexpr std::uint32_t invesmclass = 0x43;
constexpr std::uint32_t submitfail = 0x45;
constexpr std::uint32_t invsrcton = 0x48;
constexpr std::uint32_t invsrcnpi = 0x49;
constexpr std::uint32_t invdstton = 0x50;
constexpr std::uint32_t invdstnpi = 0x51;
constexpr std::uint32_t invsystyp = 0x53;
constexpr std::uint32_t throttled = 0x58;
constexpr std::uint32_t invsched = 0x61;
constexpr std::uint32_t invexpiry = 0x62;
constexpr std::uint32_t invoptparstream = 0xC0;
constexpr std::uint32_t optparnotallwd = 0xC1;
constexpr std::uint32_t invparlen = 0xC2;
constexpr std::uint32_t missingoptparam = 0xC3;
constexpr std::uint32_t invoptparamval = 0xC4;
constexpr std::uint32_t deliveryfailure = 0xFE;
constexpr std::uint32_t unknownerr = 0xFF;
}  // namespace status

// TLV tags the engine models (SMPP 3.4 section 5.3.2); others are kept raw.
namespace tag {
constexpr std::uint16_t receipted_message_id = 0x001E;
constexpr std::uint16_t user_message_reference = 0x0204;
constexpr std::uint16_t sar_msg_ref_num = 0x020C;
constexpr std::uint16_t sar_total_segments = 0x020E;
constexpr std::uint16_t sar_segment_seqnum = 0x020F;
constexpr std::uint16_t sc_interface_version = 0x0210;
constexpr std::uint16_t network_error_code = 0x0423;
constexpr std::uint16_t message_payload = 0x0424;
constexpr std::uint16_t message_state = 0x0427;
constexpr std::uint16_t ussd_service_op = 0x0501;
constexpr std::uint16_t its_session_info = 0x1383;
}  // namespace tag

// ussd_service_op values (SMPP 3.4 section 5.3.2.44) and the common vendor release.
namespace ussd_op {
constexpr std::uint8_t pssd_indication = 0;
constexpr std::uint8_t pssr_indication = 1;
constexpr std::uint8_t ussr_request = 2;
constexpr std::uint8_t ussn_request = 3;
constexpr std::uint8_t pssd_response = 16;
constexpr std::uint8_t pssr_response = 17;
constexpr std::uint8_t ussr_confirm = 18;
constexpr std::uint8_t ussn_confirm = 19;
}  // namespace ussd_op

// A TLV the codec does not model, kept byte for byte.
struct RawTlv {
    std::uint16_t tag = 0;
    std::vector<std::uint8_t> value;
    friend bool operator==(const RawTlv&, const RawTlv&) = default;
};

// The optional parameters the engine reads or writes. Absent means not present on the wire.
struct Tlvs {
    std::optional<std::uint8_t> ussd_service_op;
    std::optional<std::array<std::uint8_t, 2>> its_session_info;  // octet 0: session number,
                                                                  // octet 1: seq << 1 | end bit
    std::optional<std::uint16_t> user_message_reference;
    std::optional<std::string> message_payload;  // raw octets
    std::optional<std::string> receipted_message_id;
    std::optional<std::uint8_t> message_state;
    std::optional<std::array<std::uint8_t, 3>> network_error_code;
    std::optional<std::uint16_t> sar_msg_ref_num;
    std::optional<std::uint8_t> sar_total_segments;
    std::optional<std::uint8_t> sar_segment_seqnum;
    std::optional<std::uint8_t> sc_interface_version;
    std::vector<RawTlv> other;
    friend bool operator==(const Tlvs&, const Tlvs&) = default;
};

struct Address {
    std::uint8_t ton = 0;
    std::uint8_t npi = 0;
    std::string address;  // at most 20 characters (65 for data_sm)
    friend bool operator==(const Address&, const Address&) = default;
};

enum class BindType : std::uint8_t { receiver, transmitter, transceiver };
const char* bind_type_name(BindType t);  // "transmitter", "receiver", "transceiver"

struct BindRequest {
    BindType type = BindType::transceiver;
    std::string system_id;  // at most 15 characters
    std::string password;   // at most 8 characters
    std::string system_type;
    std::uint8_t interface_version = 0x34;
    Address address_range;
    friend bool operator==(const BindRequest&, const BindRequest&) = default;
};

// A bind response; with a non-zero command_status the body may be empty on the wire.
struct BindResponse {
    BindType type = BindType::transceiver;
    std::string system_id;
    std::optional<std::uint8_t> sc_interface_version;
    friend bool operator==(const BindResponse&, const BindResponse&) = default;
};

struct Outbind {
    std::string system_id;
    std::string password;
    friend bool operator==(const Outbind&, const Outbind&) = default;
};

struct Unbind {
    friend bool operator==(const Unbind&, const Unbind&) = default;
};
struct UnbindResp {
    friend bool operator==(const UnbindResp&, const UnbindResp&) = default;
};
struct EnquireLink {
    friend bool operator==(const EnquireLink&, const EnquireLink&) = default;
};
struct EnquireLinkResp {
    friend bool operator==(const EnquireLinkResp&, const EnquireLinkResp&) = default;
};
struct GenericNack {
    friend bool operator==(const GenericNack&, const GenericNack&) = default;
};

// The body shared by submit_sm and deliver_sm.
struct ShortMessage {
    std::string service_type;
    Address source;
    Address destination;
    std::uint8_t esm_class = 0;
    std::uint8_t protocol_id = 0;
    std::uint8_t priority_flag = 0;
    std::string schedule_delivery_time;
    std::string validity_period;
    std::uint8_t registered_delivery = 0;
    std::uint8_t replace_if_present_flag = 0;
    std::uint8_t data_coding = 0;
    std::uint8_t sm_default_msg_id = 0;
    std::string short_message;  // raw octets, at most 254
    Tlvs tlvs;
    friend bool operator==(const ShortMessage&, const ShortMessage&) = default;
};

struct SubmitSm : ShortMessage {
    friend bool operator==(const SubmitSm&, const SubmitSm&) = default;
};
struct DeliverSm : ShortMessage {
    friend bool operator==(const DeliverSm&, const DeliverSm&) = default;
};

struct SubmitSmResp {
    std::string message_id;  // empty body when command_status != 0 is allowed on the wire
    friend bool operator==(const SubmitSmResp&, const SubmitSmResp&) = default;
};
struct DeliverSmResp {
    std::string message_id;
    friend bool operator==(const DeliverSmResp&, const DeliverSmResp&) = default;
};

struct DataSm {
    std::string service_type;
    Address source;
    Address destination;
    std::uint8_t esm_class = 0;
    std::uint8_t registered_delivery = 0;
    std::uint8_t data_coding = 0;
    Tlvs tlvs;
    friend bool operator==(const DataSm&, const DataSm&) = default;
};
struct DataSmResp {
    std::string message_id;
    Tlvs tlvs;
    friend bool operator==(const DataSmResp&, const DataSmResp&) = default;
};

using PduBody = std::variant<GenericNack, BindRequest, BindResponse, Outbind, Unbind, UnbindResp,
                             EnquireLink, EnquireLinkResp, SubmitSm, SubmitSmResp, DeliverSm,
                             DeliverSmResp, DataSm, DataSmResp>;

struct Pdu {
    std::uint32_t command_status = status::ok;
    std::uint32_t sequence_number = 0;
    PduBody body;

    // The command_id this body goes on the wire as (bind types included).
    std::uint32_t command_id() const;
    friend bool operator==(const Pdu&, const Pdu&) = default;
};

// A data_sm in the shape of a submit_sm / deliver_sm: the same addressing, esm_class,
// registered_delivery, data_coding and TLVs (its text is a message_payload TLV); the fields
// it does not have keep their defaults.
ShortMessage as_short_message(const DataSm& d);
// The message of a deliver_sm or submit_sm (in place) or of a data_sm (put into `buffer`
// first); null for any other body.
const ShortMessage* short_message_of(const Pdu& pdu, ShortMessage& buffer);

// The response to a request `request_command_id` with this status: the command's own
// *_resp (with `message_id` for submit_sm / deliver_sm / data_sm; the other bodies empty),
// or generic_nack for a command that has no response of its own.
Pdu make_response(std::uint32_t request_command_id, std::uint32_t sequence_number,
                  std::uint32_t status, std::string message_id = {});

}  // namespace ussdgw::smpp
