#include "smpp/detail/LibSmpp34.hpp"

#include <array>
#include <atomic>

// The private copies of libsmpp34 (smpp/CMakeLists.txt makes USSDGW_SMPP34_COPIES of them):
// copy N's symbols are libsmpp34's with the prefix ussdgw_smpp34_N_.
#define USSDGW_SMPP34_COPY(n)                                                               \
    extern "C" int ussdgw_smpp34_##n##_smpp34_pack(uint32_t, uint8_t*, int, int*, void*);   \
    extern "C" int ussdgw_smpp34_##n##_smpp34_unpack(uint32_t, void*, const uint8_t*, int); \
    extern "C" int ussdgw_smpp34_##n##_destroy_tlv(tlv_t*);                                 \
    extern "C" char ussdgw_smpp34_##n##_smpp34_strerror[2048];
USSDGW_SMPP34_COPY(1)
USSDGW_SMPP34_COPY(2)
USSDGW_SMPP34_COPY(3)
USSDGW_SMPP34_COPY(4)
USSDGW_SMPP34_COPY(5)
USSDGW_SMPP34_COPY(6)
USSDGW_SMPP34_COPY(7)
USSDGW_SMPP34_COPY(8)
#undef USSDGW_SMPP34_COPY

namespace ussdgw::smpp::detail {

namespace {

#define USSDGW_SMPP34_ENTRY(n)                                                       \
    LibCopy {                                                                        \
        ussdgw_smpp34_##n##_smpp34_pack, ussdgw_smpp34_##n##_smpp34_unpack,          \
            ussdgw_smpp34_##n##_destroy_tlv, ussdgw_smpp34_##n##_smpp34_strerror, {} \
    }
std::array<LibCopy, 8> g_copies{
    USSDGW_SMPP34_ENTRY(1), USSDGW_SMPP34_ENTRY(2), USSDGW_SMPP34_ENTRY(3), USSDGW_SMPP34_ENTRY(4),
    USSDGW_SMPP34_ENTRY(5), USSDGW_SMPP34_ENTRY(6), USSDGW_SMPP34_ENTRY(7), USSDGW_SMPP34_ENTRY(8)};
#undef USSDGW_SMPP34_ENTRY
static_assert(USSDGW_SMPP34_COPIES == 8, "smpp/CMakeLists.txt makes as many copies as listed");

std::atomic<std::size_t> g_next_copy{0};

}  // namespace

LibCopy& lib_copy() {
    thread_local LibCopy& mine = g_copies[g_next_copy.fetch_add(1) % g_copies.size()];
    return mine;
}

std::string LibCopy::last_error() const {
    return std::string(error, strnlen(error, 2048));
}

}  // namespace ussdgw::smpp::detail
