#include "engine/config/EngineConfig.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/config/ApiSection.hpp"
#include "engine/config/HttpSection.hpp"
#include "engine/config/MenuSection.hpp"
#include "engine/config/SmppSection.hpp"
#include "engine/config/StorageSection.hpp"
#include "engine/config/UssdHttpSection.hpp"

namespace ussdgw::config {

namespace {
LogConfig parse_log(const TomlTable& t) {
    LogConfig c;
    std::string level = t.choice("level", {"debug", "info", "warn", "error", "off"}, "info");
    log::parse_level(level, c.level);
    t.finish();
    return c;
}
// The hash queue's time bound serves the USSD step deadlines: a password dialogue must hear
// "try later" well within its step, so hash_max_wait is at most half the shortest step
// deadline ([menus] step_timeout, every [[ussd.http]] step_deadline); the other half covers
// the hash itself, the commit and the network. Unset, it is 2 s or that half if shorter.
void derive_hash_max_wait(EngineConfig& c, const std::optional<TomlTable>& storage) {
    std::chrono::milliseconds shortest = c.menus.dialogue.step_timeout;
    std::string owner = "[menus] step_timeout";
    for (const auto& a : c.ussd_http)
        if (a.limits.step_deadline < shortest) {
            shortest = a.limits.step_deadline;
            owner = "step_deadline of [[ussd.http]] '" + a.name + "'";
        }
    const std::chrono::milliseconds bound = shortest / 2;
    if (storage && storage->has("hash_max_wait")) {
        if (c.storage.hash_max_wait > bound)
            storage->fail("hash_max_wait",
                          fmt::format("must be at most half the shortest USSD step deadline, the "
                                      "{} ({} ms): at most {} ms",
                                      owner, shortest.count(), bound.count()));
    } else {
        c.storage.hash_max_wait = std::min(storage::StorageConfig{}.hash_max_wait, bound);
    }
}

// Settings of [storage] whose one owner is another section: the SMS default language is
// [menus] default_language, and the outbox claim lease follows the longest response timeout
// of the ways SMS leave on (a little over it) unless [storage] sets a longer one.
void derive_storage_settings(EngineConfig& c, const std::optional<TomlTable>& storage) {
    const std::string& menus_default = c.menus.dialogue.default_language;
    c.storage.sms_default_language = menus_default.empty() ? "ru" : menus_default;
    if (!c.storage.password_sms_text.contains(c.storage.sms_default_language) && storage)
        storage->fail("password_sms_text", "has no text in the default language '" +
                                               c.storage.sms_default_language +
                                               "' ([menus] default_language)");
    std::optional<smpp::Millis> longest;
    std::string owner;
    auto consider = [&](smpp::Millis t, const std::string& what) {
        if (!longest || t > *longest) {
            longest = t;
            owner = what;
        }
    };
    for (const auto& link : c.smpp.clients)
        if (std::find(link.roles.begin(), link.roles.end(), "sms") != link.roles.end())
            consider(link.timers.response_timeout, "SMS link '" + link.name + "'");
    if (c.smpp.server.enabled)
        for (const auto& a : c.smpp.server.accounts)
            if (a.outgoing_sms)
                consider(c.smpp.server.timers.response_timeout,
                         "listener account '" + a.system_id + "'");
    if (!longest) return;
    if (storage && storage->has("outbox_claim_lease")) {
        if (c.storage.outbox_claim_lease <= *longest)
            storage->fail("outbox_claim_lease",
                          fmt::format("must be longer than the response_timeout of the {} ({} ms)",
                                      owner, longest->count()));
    } else {
        c.storage.outbox_claim_lease = *longest + kClaimLeaseMargin;
    }
}

}  // namespace

EngineConfig parse_engine_config(const TomlDocument& doc) {
    TomlTable root = TomlTable::root(doc);
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
        // [[ussd.http]] first: the [ussd] parser rejects keys nobody read.
        c.ussd_http = parse_ussd_http_accounts(*t);
        if (!c.ussd_http.empty() && !c.http.enabled)
            t->fail("http", "HTTP USSD accounts need the HTTP server ([http] enabled = true)");
        c.ussd = parse_ussd_section(*t);
        for (const auto& l : t->tables("link")) {
            std::string name = l.string("name");
            if (!is_client_link(name)) l.fail("name", no_such_link(name));
        }
        for (const auto& a : t->tables("account")) {
            std::string id = a.string("system_id");
            auto& accounts = c.smpp.server.accounts;
            auto it = std::find_if(accounts.begin(), accounts.end(),
                                   [&](const smpp::AccountConfig& x) { return x.system_id == id; });
            if (it == accounts.end())
                a.fail("system_id", "no [[smpp.server.account]] has system_id '" + id + "'");
            if (std::find(it->roles.begin(), it->roles.end(), "ussd") == it->roles.end())
                a.fail("system_id",
                       "the [[smpp.server.account]] '" + id + "' has no \"ussd\" in its roles");
        }
    }
    if (auto sms = root.table("sms")) c.sms = parse_sms_section(*sms);
    derive_storage_settings(c, root.table("storage"));
    derive_hash_max_wait(c, root.table("storage"));
    root.finish();
    return c;
}

EngineConfig load_engine_config(const std::string& path) {
    return parse_engine_config(load_toml_file(path));
}

}  // namespace ussdgw::config
