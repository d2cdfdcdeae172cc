#include "smpp/detail/LibSmpp34.hpp"

namespace ussdgw::smpp::detail {

std::mutex& lib_mutex() {
    static std::mutex m;
    return m;
}

std::string lib_error() {
    return std::string(smpp34_strerror, strnlen(smpp34_strerror, sizeof(smpp34_strerror)));
}

}  // namespace ussdgw::smpp::detail
