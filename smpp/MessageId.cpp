#include "smpp/MessageId.hpp"

#include <fmt/format.h>

namespace ussdgw::smpp {

MessageIdGenerator::MessageIdGenerator(std::chrono::system_clock::time_point start) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch());
    prefix_ = fmt::format("{:011x}", static_cast<std::uint64_t>(ms.count()) & 0xFFFFFFFFFFFull);
}

std::string MessageIdGenerator::next() {
    return fmt::format("{}{:x}", prefix_, ++counter_);
}

}  // namespace ussdgw::smpp
