#include "storage/WallClock.hpp"

#include <chrono>

namespace ussdgw::storage {

std::int64_t system_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace ussdgw::storage
