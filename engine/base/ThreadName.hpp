// Names the calling thread as `top -H`, `ps -L`, perf and /proc/PID/task/*/comm show it
// ("ussdgw-writer", "ussdgw-loop1", ...): the kernel keeps at most 15 characters.
#pragma once

#include <pthread.h>

#include <string>

namespace ussdgw {

inline void name_this_thread(const std::string& name) {
    (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace ussdgw
