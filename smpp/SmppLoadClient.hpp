// SmppLoadClient: a windowed submit_sm load generator for `ussdgw bench smpp`.
//
// One TCP connection to an SMPP server: bind_transceiver, then keep `window` submit_sm
// outstanding until `count` were sent or `duration` has passed, wait for the last
// responses, unbind. The submit_sm frame is encoded once with PduCodec and only its
// sequence number is patched per copy; responses are read by header (command_id, status,
// sequence number), and writes are batched (one write in flight, the next batch growing
// behind it), so the client itself is rarely the bottleneck. Runs on the calling thread
// with its own io_context; every wait is bounded by `io_timeout`.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/Result.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::smpp {

struct LoadOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string system_id = "bench";
    std::string password = "bench";
    std::uint32_t window = 100;
    std::uint64_t count = 300'000;                 // stop sending after this many
    std::chrono::milliseconds duration{5'000};     // ... or after this long
    std::chrono::milliseconds io_timeout{10'000};  // connect, bind, drain, unbind
    SubmitSm message;                              // what to send (sequence patched)
};

struct LoadReport {
    std::uint64_t sent = 0;
    std::uint64_t ok = 0;      // submit_sm_resp with command_status 0
    std::uint64_t failed = 0;  // other responses (generic_nack, non-zero status)
    std::uint32_t first_error_status = 0;
    double seconds = 0;  // first submit_sm to last response
    // Latency from queueing a submit_sm to reading its response, in microseconds.
    double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
    bool unbound_cleanly = false;

    double per_second() const {
        return seconds > 0 ? static_cast<double>(ok + failed) / seconds : 0;
    }
};

// Runs the load; an Error for failures to connect, bind or drain (with what happened).
Result<LoadReport> run_submit_load(const LoadOptions& options);

}  // namespace ussdgw::smpp
