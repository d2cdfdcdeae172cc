#include "engine/config/GatewaySections.hpp"

namespace ussdgw::config {

namespace {

ussd::UssdProfile parse_profile(const TomlTable& t, const ussd::UssdProfile& base, bool account) {
    ussd::UssdProfile p = base;
    p.service_type = t.string("service_type", base.service_type);
    if (p.service_type.size() > 5) t.fail("service_type", "at most 5 characters");
    static const std::vector<std::string> modes = {"auto", "its_session_info",
                                                   "user_message_reference", "msisdn"};
    std::string fallback = base.session_key == ussd::SessionKeyMode::automatic ? "auto"
                           : base.session_key == ussd::SessionKeyMode::its_session_info
                               ? "its_session_info"
                           : base.session_key == ussd::SessionKeyMode::user_message_reference
                               ? "user_message_reference"
                               : "msisdn";
    std::string mode = t.choice("session_key", modes, fallback);
    p.session_key = mode == "auto"               ? ussd::SessionKeyMode::automatic
                    : mode == "its_session_info" ? ussd::SessionKeyMode::its_session_info
                    : mode == "user_message_reference"
                        ? ussd::SessionKeyMode::user_message_reference
                        : ussd::SessionKeyMode::msisdn;
    auto op = [&](std::string_view key, std::uint8_t def) {
        return static_cast<std::uint8_t>(t.integer(key, def, 0, 255));
    };
    p.op_begin = op("op_begin", base.op_begin);
    p.op_answer = op("op_answer", base.op_answer);
    p.op_continue = op("op_continue", base.op_continue);
    p.op_end = op("op_end", base.op_end);
    std::vector<std::int64_t> def_release(base.release_ops.begin(), base.release_ops.end());
    p.release_ops.clear();
    for (auto v : t.integer_list("release_ops", def_release, 0, 255))
        p.release_ops.push_back(static_cast<std::uint8_t>(v));
    for (auto v : p.release_ops)
        if (v == p.op_begin || v == p.op_answer)
            t.fail("release_ops", "must not contain op_begin or op_answer");
    if (p.op_begin == p.op_answer) t.fail("op_answer", "must differ from op_begin");
    p.reply_source_address = t.string("reply_source_address", base.reply_source_address);
    if (p.reply_source_address.size() > 20) t.fail("reply_source_address", "at most 20 characters");
    p.reply_in_payload = t.boolean("reply_in_payload", base.reply_in_payload);
    p.gsm7_data_coding =
        static_cast<std::uint8_t>(t.integer("gsm7_data_coding", base.gsm7_data_coding, 0, 255));
    if (p.gsm7_data_coding != 0x00 && p.gsm7_data_coding != 0x0F && p.gsm7_data_coding != 0x01)
        t.fail("gsm7_data_coding", "must be 0x00, 0x0F or 0x01");
    if (account) {
        std::string reply = t.choice("reply_command", {"deliver_sm", "data_sm"}, "deliver_sm");
        p.reply_command =
            reply == "data_sm" ? ussd::ReplyCommand::data_sm : ussd::ReplyCommand::deliver_sm;
    }
    return p;
}

}  // namespace

UssdConfig parse_ussd_section(const TomlTable& t) {
    UssdConfig c;
    c.loop_threads = static_cast<std::uint32_t>(t.integer("loop_threads", 0, 0, 256));
    c.defaults = parse_profile(t, ussd::UssdProfile{}, false);
    for (const TomlTable& l : t.tables("link")) {
        std::string name = l.string("name");
        if (c.links.contains(name)) l.fail("name", "'" + name + "' is listed twice");
        c.links.emplace(name, parse_profile(l, c.defaults, false));
        l.finish();
    }
    for (const TomlTable& a : t.tables("account")) {
        std::string id = a.string("system_id");
        if (c.accounts.contains(id)) a.fail("system_id", "'" + id + "' is listed twice");
        c.accounts.emplace(id, parse_profile(a, c.defaults, true));
        a.finish();
    }
    t.finish();
    return c;
}

sms::SmsConfig parse_sms_section(const TomlTable& t) {
    sms::SmsConfig c;
    if (t.has("link"))
        t.fail("link",
               "was removed: SMS leave on every [[smpp.client]] with \"sms\" in its roles and "
               "every [[smpp.server.account]] with outgoing_sms = true");
    c.source_address = t.string("source_address", c.source_address);
    if (c.source_address.empty() || c.source_address.size() > 20)
        t.fail("source_address", "1 to 20 characters");
    if (c.source_address.find_first_not_of("0123456789") != std::string::npos &&
        c.source_address.size() > 11)
        t.fail("source_address", "an alphanumeric sender has at most 11 characters");
    c.service_type = t.string("service_type", c.service_type);
    if (c.service_type.size() > 5) t.fail("service_type", "at most 5 characters");
    c.request_receipts = t.boolean("request_receipts", c.request_receipts);
    c.validity_period = std::chrono::duration_cast<std::chrono::seconds>(
        t.duration("validity_period", c.validity_period, std::chrono::milliseconds(0),
                   std::chrono::hours(24 * 30)));
    if (c.validity_period.count() > 0 && c.validity_period < std::chrono::minutes(1))
        t.fail("validity_period", "must be \"0s\" (the SMSC's default) or at least 1m");
    c.poll_interval = t.duration("poll_interval", c.poll_interval, std::chrono::milliseconds(50),
                                 std::chrono::minutes(10));
    c.batch = static_cast<int>(t.integer("batch", c.batch, 1, 10'000));
    c.max_in_flight = static_cast<int>(t.integer("max_in_flight", c.max_in_flight, 1, 100'000));
    c.throttle_pause = t.duration("throttle_pause", c.throttle_pause, std::chrono::milliseconds(10),
                                  std::chrono::minutes(10));
    c.receipt_retry = t.duration("receipt_retry", c.receipt_retry, std::chrono::milliseconds(100),
                                 std::chrono::hours(1));
    t.finish();
    return c;
}

}  // namespace ussdgw::config
