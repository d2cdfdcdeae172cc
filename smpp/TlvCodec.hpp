// TlvCodec: the optional parameters (TLVs) of a PDU, read and written here rather than by
// libsmpp34 (see detail/LibSmpp34.hpp): the walk is checked (lengths, a count cap), the
// modelled tags land in `Tlvs`, the others are kept raw in `Tlvs::other`. Writing puts the
// modelled TLVs in a fixed order, then `Tlvs::other` in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/base/Result.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::smpp {

// Why a TLV walk failed: the command_status to answer with, and a reason for logs.
struct TlvProblem {
    std::uint32_t status = status::invoptparstream;
    const char* reason = "";
};

// Walks TLVs from `pos` to the end of `frame` into `t` (the last of a duplicated modelled
// tag wins). Returns false with `problem` set.
bool read_tlvs(std::span<const std::uint8_t> frame, std::size_t pos, Tlvs& t, TlvProblem& problem);

// Whether `t` fits the wire (value lengths, no NUL inside receipted_message_id).
Status check_tlvs(const Tlvs& t);

// Appends `t` (checked by check_tlvs) to `out`.
void write_tlvs(const Tlvs& t, std::vector<std::uint8_t>& out);

// Appends one TLV.
void put_tlv(std::vector<std::uint8_t>& out, std::uint16_t tag, const void* value, std::size_t n);

}  // namespace ussdgw::smpp
