// The [ussd] and [sms] sections (engine/config/GatewaySections): every key read, per-link
// overrides of the USSD profile, and errors that name file, line and key.
#include "engine/config/GatewaySections.hpp"

#include <doctest/doctest.h>

#include <string>

#include "engine/config/ConfigTestSupport.hpp"

namespace gateway_sections_test {

using namespace ussdgw;
using namespace std::chrono_literals;

namespace {
constexpr const char* kLinks = R"([[smpp.client]]
name = "ussdc"
system_id = "gw"
[[smpp.client]]
name = "other"
system_id = "gw"
)";
config::EngineConfig parse(const std::string& text) {
    return test::parse_config(std::string(kLinks) + text);
}
std::string error_of(const std::string& text) {
    return test::config_error_of(std::string(kLinks) + text);
}
}  // namespace

TEST_CASE("[ussd] defaults and a per-link profile") {
    auto c = parse(R"([ussd]
service_type = "USS"
op_continue = 0x22
gsm7_data_coding = 0x0F
[[ussd.link]]
name = "other"
gsm7_data_coding = 0x01
reply_in_payload = true
)");
    const auto& d = c.ussd.link_profile("ussdc");
    CHECK(d.service_type == "USS");
    CHECK(d.op_continue == 0x22);
    CHECK(d.gsm7_data_coding == 0x0F);
    const auto& o = c.ussd.link_profile("other");
    CHECK(o.service_type == "USS");  // from [ussd]
    CHECK(o.gsm7_data_coding == 0x01);
    CHECK(o.reply_in_payload);
    CHECK(parse("").ussd.link_profile("ussdc").gsm7_data_coding == 0x00);
}

TEST_CASE("[ussd] loop_threads: 0 by default, at most 256, not per link") {
    CHECK(parse("").ussd.loop_threads == 0);
    CHECK(parse("[ussd]\nloop_threads = 3\n").ussd.loop_threads == 3);
    CHECK(error_of("[ussd]\nloop_threads = -1\n").find("ussd.loop_threads") != std::string::npos);
    CHECK(error_of("[ussd]\nloop_threads = 257\n").find("ussd.loop_threads") != std::string::npos);
    CHECK(error_of("[ussd]\n[[ussd.link]]\nname = \"other\"\nloop_threads = 2\n")
              .find("ussd.link[0].loop_threads") != std::string::npos);
}

TEST_CASE("[[ussd.account]]: the profile of a listener account with the ussd role") {
    const std::string server = R"([smpp.server]
enabled = true
[[smpp.server.account]]
system_id = "ussdc"
password = "pw"
roles = ["ussd"]
[[smpp.server.account]]
system_id = "plain"
password = "pw"
)";
    auto c = parse(server + R"([ussd]
service_type = "USS"
[[ussd.account]]
system_id = "ussdc"
reply_command = "data_sm"
session_key = "msisdn"
)");
    const auto& a = c.ussd.account_profile("ussdc");
    CHECK(a.reply_command == ussd::ReplyCommand::data_sm);
    CHECK(a.session_key == ussd::SessionKeyMode::msisdn);
    CHECK(a.service_type == "USS");  // from [ussd]
    CHECK(c.ussd.account_profile("other").reply_command == ussd::ReplyCommand::deliver_sm);
    CHECK(error_of(server + "[ussd]\n[[ussd.account]]\nsystem_id = \"nope\"\n")
              .find("no [[smpp.server.account]] has system_id 'nope'") != std::string::npos);
    CHECK(error_of(server + "[ussd]\n[[ussd.account]]\nsystem_id = \"plain\"\n")
              .find("has no \"ussd\" in its roles") != std::string::npos);
    CHECK(error_of(server + "[ussd]\n[[ussd.account]]\nsystem_id = \"ussdc\"\nreply_command = "
                            "\"submit_sm\"\n")
              .find("ussd.account[0].reply_command") != std::string::npos);
    // reply_command is a listener account's key only.
    CHECK(error_of("[ussd]\nreply_command = \"data_sm\"\n").find("ussd.reply_command") !=
          std::string::npos);
}

TEST_CASE("[ussd] errors name file, line and key") {
    auto e = error_of("[ussd]\ngsm7_data_coding = 0x08\n");
    CHECK(e.find("conf/t.toml:8") != std::string::npos);
    CHECK(e.find("ussd.gsm7_data_coding") != std::string::npos);
    CHECK(e.find("0x00, 0x0F or 0x01") != std::string::npos);
    CHECK(error_of("[ussd]\n[[ussd.link]]\nname = \"nope\"\n").find("no [[smpp.client]]") !=
          std::string::npos);
    CHECK(error_of("[ussd]\nrelease_ops = [1]\n").find("ussd.release_ops") != std::string::npos);
    CHECK(error_of("[ussd]\nservice_type = \"TOOLONG\"\n").find("ussd.service_type") !=
          std::string::npos);
}

TEST_CASE("[sms] every key, validity_period and its limits") {
    auto c = parse(R"([sms]
source_address = "411"
service_type = "CMT"
request_receipts = false
validity_period = "2h"
poll_interval = "500ms"
batch = 10
max_in_flight = 20
throttle_pause = "3s"
receipt_retry = "20s"
)");
    CHECK(c.sms.source_address == "411");
    CHECK(c.sms.service_type == "CMT");
    CHECK_FALSE(c.sms.request_receipts);
    CHECK(c.sms.validity_period == 2h);
    CHECK(c.sms.poll_interval == 500ms);
    CHECK(c.sms.batch == 10);
    CHECK(c.sms.max_in_flight == 20);
    CHECK(c.sms.throttle_pause == 3s);
    CHECK(c.sms.receipt_retry == 20s);
    CHECK(parse("").sms.receipt_retry == 10s);
    CHECK(error_of("[sms]\nreceipt_retry = \"1ms\"\n")
              .find("conf/t.toml:8: key 'sms.receipt_retry'") != std::string::npos);
    CHECK(parse("").sms.validity_period == 4h);
    CHECK(parse("[sms]\nvalidity_period = \"0s\"\n").sms.validity_period == 0s);
    CHECK(error_of("[sms]\nvalidity_period = \"10s\"\n").find("sms.validity_period") !=
          std::string::npos);
    CHECK(error_of("[sms]\nvalidity_period = \"31d\"\n").find("sms.validity_period") !=
          std::string::npos);
    // [sms] link was removed (the SMS links are the client links with the sms role): an old
    // configuration says so, naming file, line and key.
    auto removed = error_of("[sms]\nlink = \"ussdc\"\n");
    CHECK(removed.find("conf/t.toml:8: key 'sms.link'") != std::string::npos);
    CHECK(removed.find("was removed") != std::string::npos);
    CHECK(error_of("[sms]\nsource_address = \"TOOLONGSENDER\"\n").find("sms.source_address") !=
          std::string::npos);
}

}  // namespace gateway_sections_test
