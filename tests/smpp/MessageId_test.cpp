#include "smpp/MessageId.hpp"

#include <doctest/doctest.h>

#include <set>

namespace message_id_test {

using namespace ussdgw::smpp;
using namespace std::chrono_literals;

TEST_CASE("message ids: hex, within SMPP's limit, unique within a run and across restarts") {
    auto start = std::chrono::system_clock::time_point{} + 1'764'000'000'000ms;  // Nov 2025
    MessageIdGenerator first(start);
    CHECK(first.next() == "19ab697e8001");
    CHECK(first.next() == "19ab697e8002");
    std::set<std::string> ids;
    for (int i = 0; i < 100'000; ++i)
        ids.insert(first.next());
    // The same process restarted a second (or a millisecond) later: a new prefix.
    for (std::chrono::milliseconds later : {1ms, 1000ms}) {
        MessageIdGenerator restarted(start + later);
        for (int i = 0; i < 100'000; ++i)
            ids.insert(restarted.next());
    }
    CHECK(ids.size() == 300'000);
    for (const auto& id : ids) {
        CHECK(id.size() <= 27);
        CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    }
    // The prefix keeps its 11 digits for centuries (year 2200 here); with a 64-bit counter
    // an id is at most 11 + 16 = 27 characters.
    MessageIdGenerator far(std::chrono::system_clock::time_point{} + 7'258'118'400'000ms);
    CHECK(far.next() == "699e991a8001");
}

}  // namespace message_id_test
