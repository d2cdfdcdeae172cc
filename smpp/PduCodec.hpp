// PduCodec: bytes to `Pdu` and back, sans-I/O. The only code that touches libsmpp34.
//
// Reading is two steps. `frame_length` looks at the first bytes of a stream and says how
// long the next frame is, that more bytes are needed, or that the stream cannot be framed
// (then the connection must be closed). `decode` takes exactly one whole frame; it checks
// the frame itself (lengths, C-string terminators, the TLV walk and its counts) before
// libsmpp34 sees it, and on a malformed body returns a `DecodeError` that says what to
// answer: generic_nack or the command's own response, with which command_status.
//
// Accepted from peers, though libsmpp34 alone refuses them: any interface_version (0x50
// from SMPP 5.0 peers), vendor command_status codes, sequence_number 0, any TON/NPI, times
// in deliver_sm, a message_id in deliver_sm_resp, responses without a body (error status,
// or even OK), TLVs after a submit_sm_resp/deliver_sm_resp (checked, then ignored), a
// receipted_message_id without its terminator, message_payload up to 64 KiB. Duplicate
// modelled TLVs: the last one wins. Encoding writes modelled TLVs in a fixed order, then
// `Tlvs::other` in order; a response with a non-zero command_status and a default body goes
// as the bare header (SMPP 3.4: no body on error).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/base/Result.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::smpp {

constexpr std::size_t kHeaderLength = 16;
// Frames longer than this are refused (the longest legal PDU is a data_sm with a 64 KiB
// message_payload plus its fixed fields).
constexpr std::size_t kDefaultMaxFrameLength = 70'000;
// A PDU with more optional parameters than this is refused (invoptparstream).
constexpr std::size_t kMaxTlvCount = 64;

struct FrameLength {
    enum class Kind { need_more, frame, unframeable } kind = Kind::need_more;
    std::size_t length = 0;  // with Kind::frame: bytes in the frame, header included
};

// Inspects the start of `stream`. command_length below 16 or above `max_length` is
// unframeable (the only way to resynchronise is to close).
FrameLength frame_length(std::span<const std::uint8_t> stream,
                         std::size_t max_length = kDefaultMaxFrameLength);

// What to do with a frame that does not decode: if `is_response`, answer nothing (log it);
// else if `answer_with_generic_nack`, send generic_nack with `status` and `sequence_number`;
// else send the command's own response (command_id | 0x80000000) with `status` and an
// empty body. A frame shorter than the header or whose command_length differs from its size
// gives invcmdlen with generic_nack; an unknown command_id gives invcmdid.
struct DecodeError {
    std::uint32_t command_id = 0;              // as read from the header
    std::uint32_t sequence_number = 0;         // as read from the header (0 if unreadable)
    std::uint32_t status = status::invcmdlen;  // command_status to answer with
    bool answer_with_generic_nack = true;      // else: the command's own _resp with `status`
    bool is_response = false;  // the bad frame was itself a response: answer nothing
    std::string reason;        // for logs
};

// Decodes one whole frame (as delimited by frame_length).
Result<Pdu, DecodeError> decode(std::span<const std::uint8_t> frame);

// Appends the wire form of `pdu` to `out`. Fields too long for the wire are an error
// (never truncated silently).
Status encode(const Pdu& pdu, std::vector<std::uint8_t>& out);
// Convenience for tests.
Result<std::vector<std::uint8_t>> encode(const Pdu& pdu);

}  // namespace ussdgw::smpp
