// The engine's configuration: one TOML file (conf/ussdgw.toml by default), one section
// per layer. `load_engine_config` validates everything at start-up and throws TomlError
// naming file, line and key; unknown keys are errors. Each layer owns a plain struct for
// its section and a parse function in engine/config/<Layer>Section.cpp.
#pragma once

#include <chrono>
#include <string>

#include "engine/api/ApiConfig.hpp"
#include "engine/base/Log.hpp"
#include "engine/base/TomlReader.hpp"
#include "engine/config/GatewaySections.hpp"
#include "engine/http/HttpConfig.hpp"
#include "engine/http/ussd/HttpUssdConfig.hpp"
#include "menus/MenuConfig.hpp"
#include "smpp/SmppConfig.hpp"
#include "storage/StorageConfig.hpp"

namespace ussdgw::config {

struct LogConfig {
    log::Level level = log::Level::info;
};

struct EngineConfig {
    std::string file;  // where it was loaded from
    LogConfig log;
    smpp::SmppConfig smpp;    // [smpp]: client links and the server listener
    menus::MenuConfig menus;  // [menus]: menu files, dialogue timeouts, default language
    // [storage]: the SQLite file, durability, hashing, limits, the SMS outbox
    storage::StorageConfig storage;
    UssdConfig ussd;        // [ussd]: the USSD-over-SMPP profile, per link and account
    sms::SmsConfig sms;     // [sms]: how the SMS outbox is sent
    http::HttpConfig http;  // [http]: the HTTP server (operations routes, the API, the page)
    api::ApiConfig api;     // [api]: the cabinet API (sessions, limits, codes, services, staff)
    api::WebConfig web;     // [web]: the cabinet page's files
    // [[ussd.http]]: aggregator accounts of USSD over HTTP
    std::vector<http::HttpUssdAccount> ussd_http;
};

// The default outbox claim lease is the longest response_timeout of the SMS links plus this: long
// enough for the last part's response to arrive and be recorded, short enough that an SMS whose
// submit was in flight during a crash goes out again before the subscriber dials again.
inline constexpr std::chrono::milliseconds kClaimLeaseMargin{5000};

EngineConfig load_engine_config(const std::string& path);
EngineConfig parse_engine_config(const TomlDocument& doc);

}  // namespace ussdgw::config
