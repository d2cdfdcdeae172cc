// MessageIdGenerator: the message ids a server gives in submit_sm_resp / data_sm_resp, unique
// across restarts. An id is the generator's start time (milliseconds since the Unix epoch,
// 11 lowercase hex digits: good until the year 2527) followed by a counter from 1 in hex:
// a restart begins a new prefix, so ids never repeat unless two starts fall in the same
// millisecond. At most 27 characters (SMPP allows 64), hex digits only.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ussdgw::smpp {

class MessageIdGenerator {
  public:
    explicit MessageIdGenerator(
        std::chrono::system_clock::time_point start = std::chrono::system_clock::now());
    std::string next();

  private:
    std::string prefix_;
    std::uint64_t counter_ = 0;
};

}  // namespace ussdgw::smpp
