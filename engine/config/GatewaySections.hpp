// The [ussd] and [sms] sections: how USSD is carried over SMPP on each link (the profile of
// SPEC 3) and how the SMS outbox is sent (SPEC 4).
#pragma once

#include <map>
#include <string>

#include "engine/base/TomlReader.hpp"
#include "engine/sms/SmsSender.hpp"
#include "engine/ussd/UssdGateway.hpp"

namespace ussdgw::config {

struct UssdConfig {
    ussd::UssdProfile defaults;                      // [ussd]
    std::map<std::string, ussd::UssdProfile> links;  // [[ussd.link]] overrides by link name
    const ussd::UssdProfile& profile(const std::string& link) const {
        auto it = links.find(link);
        return it == links.end() ? defaults : it->second;
    }
};

UssdConfig parse_ussd_section(const TomlTable& t);
sms::SmsConfig parse_sms_section(const TomlTable& t);

}  // namespace ussdgw::config
