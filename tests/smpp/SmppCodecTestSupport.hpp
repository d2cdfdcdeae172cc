// Helpers for the codec tests (PduDecoder, TlvCodec, PduCodec): the error a malformed frame
// decodes to, and a USSD deliver_sm whose TLV part is written by hand.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "SamplePdus.hpp"
#include "SmppTestSupport.hpp"
#include "smpp/PduCodec.hpp"

namespace ussdgw::smpp::test {

// The DecodeError of a frame that must not decode.
inline DecodeError decode_error(const std::vector<std::uint8_t>& frame) {
    auto r = decode(frame);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

// A deliver_sm with ussd_service_op = 1 whose TLV part is replaced by `tlv_hex`.
inline std::vector<std::uint8_t> deliver_with_tlvs(const std::string& tlv_hex) {
    DeliverSm d = ussd_deliver_sm("*141#");
    d.tlvs = {};
    auto f = encode(pdu(d)).value();
    auto t = bytes_from_hex(tlv_hex);
    f.insert(f.end(), t.begin(), t.end());
    fix_length(f);
    return f;
}

}  // namespace ussdgw::smpp::test
