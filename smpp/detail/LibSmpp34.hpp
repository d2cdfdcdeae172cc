// libsmpp34, the SMPP codec of this project on every path (the design card fixes it), and
// the adapter that keeps its sharp edges away from everything else. Only the codec's two
// files (PduDecoder.cpp, PduEncoder.cpp) include this header; nothing else ever sees a
// libsmpp34 struct.
//
// libsmpp34 (Debian 1.14.x) (un)packs the mandatory part of every PDU that has a body. Its
// sharp edges, and what the codec does about each:
// - Not thread-safe: every call writes its global error buffer (smpp34_strerror, ptrerror).
//   So that event loops on several threads do not queue for one lock around the codec's
//   costliest part, the build links private copies of Debian's static libsmpp34
//   (smpp/detail/Smpp34Copies.cmake: objcopy gives each copy's symbols a prefix of its own,
//   so each has its own globals). Each thread is given one copy on its first call
//   (`lib_copy`, in turn); a copy is still called only under its own mutex, so more threads
//   than copies share them safely, waiting only for each other.
// - It reads C-octet strings with strlen() past the end of the buffer, and its error log
//   (2 KiB, one line per field) overflows when a PDU carries a few dozen TLVs. So every
//   frame is walked first (PduDecoder: lengths, terminators, sm_length; TlvCodec: the TLV
//   walk with a count cap), and libsmpp34 is only ever handed the mandatory part of a
//   checked frame: TLVs are decoded and encoded by TlvCodec (that also lifts libsmpp34's
//   1024-octet TLV value limit, so a 64 KiB message_payload works).
// - It refuses values real peers send: interface_version other than 0x34, command_status
//   codes it does not list (vendor codes), sequence_number 0, TON/NPI values it does not
//   list, schedule/validity times in deliver_sm, a message_id in deliver_sm_resp, a data_sm
//   source_addr over 20 characters. libsmpp34 is handed a copy with those fields
//   normalised (deliver_sm as submit_sm, deliver_sm_resp as submit_sm_resp); their real
//   values are taken from the frame. Encoding does the reverse patch.
// - It truncates too-long strings silently when packing and refuses a 254-octet
//   short_message: lengths are checked before packing, and short_message is appended by
//   the encoder.
// - TLV lists it allocates must be freed: a guard destroys any list it left in a struct.
// - It snprintf()s a log line into its error buffer for every field: most of the codec's
//   CPU time goes there (accepted: the design card keeps libsmpp34 on the hot path).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>

extern "C" {
// clang-format off
#include <stdint.h>
#include <stdio.h>
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
// clang-format on
}

namespace ussdgw::smpp::detail {

// The largest mandatory part (header included) handed to or taken from libsmpp34:
// submit_sm is 16 + 6 + 2 + 21 + 2 + 21 + 3 + 17 + 17 + 5 + 254 = 364 octets.
constexpr std::size_t kScratch = 512;

// One private copy of libsmpp34: the entry points the codec uses, and its error buffer.
struct LibCopy {
    int (*pack)(uint32_t type, uint8_t* buf, int size, int* len, void* pdu);
    int (*unpack)(uint32_t type, void* pdu, const uint8_t* buf, int len);
    int (*destroy_tlv)(tlv_t* list);
    const char* error;  // its smpp34_strerror (2048 octets)
    std::mutex mutex;   // held for every call into this copy
    // Its last error text (call with `mutex` held).
    std::string last_error() const;
};
// The calling thread's copy.
LibCopy& lib_copy();

template <typename T>
concept HasTlvList = requires(T t) {
    t.tlv;
};

// Frees a TLV list libsmpp34 may have built into a struct (on success and on failure).
template <typename T>
struct TlvListGuard {
    LibCopy& lib;
    T& s;
    ~TlvListGuard() {
        if constexpr (HasTlvList<T>) {
            if (s.tlv != nullptr) lib.destroy_tlv(s.tlv);
            s.tlv = nullptr;
        }
    }
};

// Unpacks a checked, normalised mandatory part. `out` is zeroed first.
template <typename T>
bool lib_unpack(std::uint32_t canonical_id, T& out, const std::uint8_t* buf, std::size_t len,
                std::string& why) {
    std::memset(&out, 0, sizeof(out));
    LibCopy& lib = lib_copy();
    std::lock_guard lock(lib.mutex);
    int rc = lib.unpack(canonical_id, &out, buf, static_cast<int>(len));
    { TlvListGuard<T> guard{lib, out}; }
    if (rc != 0) {
        why = lib.last_error();
        return false;
    }
    return true;
}

// Packs `in` (header normalised by the caller) into buf; returns the length or -1.
template <typename T>
int lib_pack(std::uint32_t canonical_id, T& in, std::uint8_t* buf, std::size_t cap,
             std::string& why) {
    in.command_length = 0;
    in.command_id = canonical_id;
    in.command_status = 0;
    in.sequence_number = 1;
    int len = 0;
    LibCopy& lib = lib_copy();
    std::lock_guard lock(lib.mutex);
    int rc = lib.pack(canonical_id, buf, static_cast<int>(cap), &len, &in);
    { TlvListGuard<T> guard{lib, in}; }
    if (rc != 0) {
        why = lib.last_error();
        return -1;
    }
    return len;
}

template <std::size_t N>
std::string from_array(const std::uint8_t (&a)[N]) {
    const char* p = reinterpret_cast<const char*>(a);
    return std::string(p, strnlen(p, N));
}
template <std::size_t N>
void to_array(std::uint8_t (&a)[N], std::string_view s) {
    // Lengths are checked by the caller (s.size() < N, no NUL inside).
    std::memcpy(a, s.data(), std::min(s.size(), N - 1));
    a[std::min(s.size(), N - 1)] = 0;
}

}  // namespace ussdgw::smpp::detail
