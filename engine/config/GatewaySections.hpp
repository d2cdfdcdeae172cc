// The [ussd] and [sms] sections: how USSD is carried over SMPP on each link and listener
// account (the profile of SPEC 3) and how the SMS outbox is sent (SPEC 4). The structs they
// fill live in small headers of their own (engine/ussd/UssdProfile, engine/sms/SmsConfig).
#pragma once

#include "engine/config/ConfigReader.hpp"
#include "engine/sms/SmsConfig.hpp"
#include "engine/ussd/UssdProfile.hpp"

namespace ussdgw::config {

using ussd::UssdConfig;

// [ussd] with its [[ussd.link]] (by client link name) and [[ussd.account]] (by listener
// account system_id) overrides; the names are checked against [smpp] by EngineConfig.
UssdConfig parse_ussd_section(const ConfigTable& t);
sms::SmsConfig parse_sms_section(const ConfigTable& t);

}  // namespace ussdgw::config
