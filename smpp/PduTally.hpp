// PduTally: PDUs sent and received, by direction, command_id and command_status, for the
// metrics of a link or listener. A session counts every frame it reads and every PDU it
// writes into the tally its owner gives it (SessionConfig::tally), so the counts outlive
// reconnects. Bounded: at most kMaxKinds distinct (direction, command, status) triples are
// kept (a hostile peer may send any command_id or status); the rest are counted together
// in `overflow`. Single-threaded like the session (read it on the loop thread).
#pragma once

#include <cstdint>
#include <vector>

namespace ussdgw::smpp {

struct PduCount {
    bool out = false;  // sent (true) or received
    std::uint32_t command_id = 0;
    std::uint32_t status = 0;
    std::uint64_t count = 0;
};

class PduTally {
  public:
    static constexpr std::size_t kMaxKinds = 64;

    void add(bool out, std::uint32_t command_id, std::uint32_t status) {
        for (auto& c : counts_) {
            if (c.command_id == command_id && c.status == status && c.out == out) {
                ++c.count;
                return;
            }
        }
        if (counts_.size() >= kMaxKinds) {
            ++overflow_;
            return;
        }
        counts_.push_back(PduCount{out, command_id, status, 1});
    }
    const std::vector<PduCount>& counts() const { return counts_; }
    std::uint64_t overflow() const { return overflow_; }

  private:
    std::vector<PduCount> counts_;
    std::uint64_t overflow_ = 0;
};

}  // namespace ussdgw::smpp
