// The engine's scrape (EngineMetrics) on a whole Engine in the test process: every family an
// operator reads is there with its HELP and TYPE, the client link reads as not bound, and a
// committed change moves the storage's commit histogram. (The HTTP side, promtool and the
// counters after real traffic over SMPP and HTTP: tests/interop/http_metrics_test.py.)
#include <doctest/doctest.h>

#include <string>

#include "RunningEngineTestSupport.hpp"

namespace engine_metrics_test {

using namespace ussdgw;
using namespace ussdgw::test;

namespace {

// The value of the sample `name` (with its labels, as rendered), or -1 when absent.
double sample(const std::string& text, const std::string& name) {
    auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("EngineMetrics: every family is rendered with HELP and TYPE") {
    RunningEngine e;
    const std::string text = e.engine->metrics().render();
    for (const char* family :
         {"ussdgw_ussd_dialogues_begun_total", "ussdgw_ussd_dialogues_ended_total",
          "ussdgw_ussd_dialogues_active", "ussdgw_ussd_step_duration_seconds",
          "ussdgw_smpp_link_bound", "ussdgw_sms_outbox_messages",
          "ussdgw_sms_outbox_oldest_pending_age_seconds", "ussdgw_storage_hash_queue_depth",
          "ussdgw_storage_commit_batch_size", "ussdgw_storage_commit_duration_seconds",
          "ussdgw_storage_hash_refused_total", "ussdgw_storage_checkpoints_total",
          "ussdgw_storage_wal_pages", "ussdgw_storage_hash_rest_seconds_total",
          "ussdgw_sms_failed_total", "ussdgw_sms_integrator_requests_total",
          "ussdgw_smpp_server_connections"}) {
        CAPTURE(family);
        CHECK(text.find(std::string("# HELP ") + family + " ") != std::string::npos);
        CHECK(text.find(std::string("# TYPE ") + family + " ") != std::string::npos);
    }
    CHECK(text.find("# TYPE ussdgw_ussd_step_duration_seconds histogram") != std::string::npos);
    CHECK(text.find("# TYPE ussdgw_ussd_dialogues_begun_total counter") != std::string::npos);
    // The shipped client link points at a port where nothing listens.
    CHECK(sample(text, "ussdgw_smpp_link_bound{link=\"ussdc\"}") == 0);
    CHECK(text.find("\nussdgw_build_info{version=\"") != std::string::npos);
    CHECK(sample(text, "ussdgw_storage_hash_queue_depth") == 0);
    CHECK(sample(text, "ussdgw_storage_hash_rest_seconds_total") == 0);
}

TEST_CASE("EngineMetrics: a committed change shows in the commit histogram") {
    RunningEngine e;
    const double before =
        sample(e.engine->metrics().render(), "ussdgw_storage_commit_batch_size_count");
    REQUIRE(before >= 0);
    bool done = false;
    e.engine->storage().cabinet().close_own_access(storage::test::msisdn("375291000001"),
                                                   storage::Channel::ussd, [&done](Result<Ok> r) {
                                                       CHECK(r.ok());
                                                       done = true;
                                                   });
    REQUIRE(e.run_until([&] { return done; }));
    const double after =
        sample(e.engine->metrics().render(), "ussdgw_storage_commit_batch_size_count");
    CHECK(after >= before + 1);
}

}  // namespace engine_metrics_test
