#include "engine/config/EngineConfig.hpp"

#include "engine/config/ApiSection.hpp"
#include "engine/config/HttpSection.hpp"
#include "engine/config/MenuSection.hpp"
#include "engine/config/SmppSection.hpp"
#include "engine/config/StorageSection.hpp"

namespace ussdgw::config {

namespace {
LogConfig parse_log(const ConfigTable& t) {
    LogConfig c;
    std::string level = t.choice("level", {"debug", "info", "warn", "error", "off"}, "info");
    log::parse_level(level, c.level);
    t.finish();
    return c;
}
}  // namespace

EngineConfig parse_engine_config(const ConfigDocument& doc) {
    ConfigTable root = ConfigTable::root(doc);
    EngineConfig c;
    c.file = doc.file;
    if (auto t = root.table("log")) c.log = parse_log(*t);
    if (auto t = root.table("smpp")) c.smpp = parse_smpp_section(*t);
    if (auto t = root.table("menus")) c.menus = parse_menu_section(*t);
    if (auto t = root.table("storage")) c.storage = parse_storage_section(*t);
    if (auto t = root.table("http")) c.http = parse_http_section(*t);
    if (auto t = root.table("api")) c.api = parse_api_section(*t);
    if (auto t = root.table("web")) c.web = parse_web_section(*t);
    auto is_client_link = [&c](const std::string& name) {
        for (const auto& link : c.smpp.clients)
            if (link.name == name) return true;
        return false;
    };
    auto no_such_link = [](const std::string& name) {
        return "no [[smpp.client]] link is named '" + name + "'";
    };
    if (auto t = root.table("ussd")) {
        c.ussd = parse_ussd_section(*t);
        for (const auto& l : t->tables("link")) {
            std::string name = l.string("name");
            if (!is_client_link(name)) l.fail("name", no_such_link(name));
        }
    }
    auto sms = root.table("sms");
    if (sms) c.sms = parse_sms_section(*sms);
    if (!c.smpp.clients.empty() && !is_client_link(c.sms.link)) {
        if (sms) sms->fail("link", no_such_link(c.sms.link));
        throw ConfigError(doc.file, 0, "sms.link", no_such_link(c.sms.link) + " (the default)");
    }
    root.finish();
    return c;
}

EngineConfig load_engine_config(const std::string& path) {
    return parse_engine_config(load_document(path));
}

}  // namespace ussdgw::config
