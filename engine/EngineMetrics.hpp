// The engine's metrics: collectors that read every layer's stats at scrape time (the layers
// keep plain counters and engine/base histograms and include nothing of engine/), named
// ussdgw_* after the Prometheus conventions. Dialogues begun / ended by ingress and outcome
// and the USSD step latency; SMPP PDUs by link, direction, command and status, and link
// bound state; SMS submitted / delivered / failed / retried / throttled, the outbox depth
// and the age of its oldest pending message; the hash pool queue and group-commit batch
// sizes and latency. (The HTTP server registers its own request metrics.)
#pragma once

#include "engine/base/Metrics.hpp"

namespace ussdgw {

class Engine;

// Adds the collectors; they read `engine` on the thread that renders (the main loop's), and
// the link loops' counters through LinkLoop::stats (a bounded hop onto each loop's thread),
// summed with the main loop's: every metric covers every loop.
void add_engine_metrics(metrics::Registry& registry, Engine& engine);

}  // namespace ussdgw
