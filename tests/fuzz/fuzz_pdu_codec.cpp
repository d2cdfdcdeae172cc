// libFuzzer target for the SMPP codec: frames a byte stream with frame_length, decodes every
// frame (and the whole input as one frame), and for each PDU that decodes checks that it
// re-encodes, that the encoding decodes to the same PDU, and that encoding is stable.
// Any mismatch aborts, so the fuzzer reports it like a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "smpp/PduCodec.hpp"

using namespace ussdgw::smpp;

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz_pdu_codec: %s\n", what);
    std::abort();
}

void check_frame(std::span<const std::uint8_t> frame) {
    auto pdu = decode(frame);
    if (!pdu) {
        const auto& reason = pdu.error().reason;
        if (reason.empty()) die("a DecodeError without a reason");
        // Our checks must be complete: libsmpp34 never refuses a frame they let through.
        if (reason.find("libsmpp34") != std::string::npos) die(reason.c_str());
        return;
    }
    auto once = encode(*pdu);
    if (!once) die("a decoded PDU does not encode");
    const auto fl = frame_length(*once, once->size());
    if (fl.kind != FrameLength::Kind::frame || fl.length != once->size())
        die("an encoded PDU does not frame");
    auto again = decode(*once);
    if (!again) die("our own encoding does not decode");
    if (!(*again == *pdu)) die("decode(encode(decode(x))) differs from decode(x)");
    auto twice = encode(*again);
    if (!twice || *twice != *once) die("encoding is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    std::size_t offset = 0;
    while (offset < size) {  // as the transport frames a stream
        const auto fl = frame_length(input.subspan(offset));
        if (fl.kind != FrameLength::Kind::frame) break;
        check_frame(input.subspan(offset, fl.length));
        offset += fl.length;
    }
    check_frame(input);  // as one frame, whatever its command_length says
    return 0;
}
