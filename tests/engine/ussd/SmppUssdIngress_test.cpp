// The SMPP ingress and the USSD core driven as the network drives them: deliver_sm in,
// submit_sm out, with the real cabinet menus (menus/cabinet), the real storage (a temporary
// SQLite file) behind the cabinet bridge, and time passed in by the test (the service's
// timer is never run: `tick` is called with the test's clock).
#include "engine/ussd/SmppUssdIngress.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "engine/EngineTestSupport.hpp"
#include "engine/ussd/UssdTestSupport.hpp"
#include "smpp/SamplePdus.hpp"
#include "smpp/SmppText.hpp"

namespace smpp_ussd_ingress_test {

using namespace ussdgw;
using namespace ussdgw::smpp;
using Clock = std::chrono::steady_clock;
using storage::test::HeldWriter;
using ussd::TimePoint;
using ussdgw::test::contains;
using Its = std::array<std::uint8_t, 2>;  // its_session_info

namespace {

struct Reply {
    std::string link;
    SubmitSm pdu;
    bool final = false;
};

struct Gateway : ussdgw::test::StorageHarness, ussdgw::test::CabinetDomain {
    boost::asio::io_context io;  // never run: time is fed through tick()
    ussd::UssdConfig config;
    ussd::UssdProfile& profile = config.defaults;
    std::unique_ptr<ussd::UssdService> service;
    std::unique_ptr<ussd::SmppUssdIngress> ingress;
    std::vector<Reply> replies;
    struct AccountReply {
        std::string account;
        std::uint64_t connection = 0;
        PduBody body;
    };
    std::vector<AccountReply> account_replies;  // to listener account "centre"
    bool account_up = true;                     // whether a session of it can take a reply
    Clock::time_point now = Clock::now();

    Gateway() : CabinetDomain(*st) {
        auto language_of = [this](const std::string& msisdn) {
            auto rec = st->find(storage::test::msisdn(msisdn.c_str()));
            return rec.ok() && rec->has_value() ? (*rec)->subscriber.language : std::string();
        };
        service = std::make_unique<ussd::UssdService>(
            io, dialogues(std::chrono::seconds(30), language_of), performer(), password_issued(),
            [this] { return now; });
        make_ingress();
    }
    // (Again) after the profile changed: the ingress keeps its own copy of the config.
    void make_ingress() {
        ingress.reset();
        ussd::SmppUssdIngress::Transport t;
        t.to_link = [this](const std::string& link, SubmitSm sm) {
            replies.push_back({link, sm, sm.tlvs.ussd_service_op == profile.op_end});
        };
        t.to_account = [this](const std::string& account, std::uint64_t connection, PduBody b) {
            if (!account_up) return false;
            account_replies.push_back({account, connection, std::move(b)});
            return true;
        };
        ingress = std::make_unique<ussd::SmppUssdIngress>(*service, config, std::move(t));
        ingress->add_link("ussdc");
        ingress->add_account("centre");
    }
    std::size_t active() const { return service->dialogues().active(); }
    const ussd::UssdDialogues::IngressStats& stats() const {
        return service->dialogues().stats().at("smpp:ussdc");
    }

    static DeliverSm request(const std::string& msisdn, const std::string& text, std::uint8_t op,
                             std::optional<Its> its = {}) {
        DeliverSm sm = smpp::test::ussd_deliver_sm(text);
        sm.source.address = msisdn;
        sm.tlvs.ussd_service_op = op;
        sm.tlvs.its_session_info = its;
        return sm;
    }

    // Sends one request and returns the reply it leads to (after any domain action).
    Reply send(const DeliverSm& sm) {
        std::size_t before = replies.size();
        REQUIRE(ingress->on_link_request("ussdc", sm));
        REQUIRE(loop.run_until([&] { return replies.size() > before && in_flight == 0; }));
        REQUIRE(replies.size() == before + 1);
        return replies.back();
    }
    Reply dial(const std::string& msisdn, const std::string& code, std::optional<Its> its = {}) {
        return send(request(msisdn, code, ussd_op::pssr_indication, its));
    }
    Reply answer(const std::string& msisdn, const std::string& text, std::optional<Its> its = {}) {
        return send(request(msisdn, text, ussd_op::ussr_confirm, its));
    }
    // Sends one request whose handling is not awaited (the reply may never come).
    void push(const DeliverSm& sm) { REQUIRE(ingress->on_link_request("ussdc", sm)); }
    void timer(TimePoint at) {
        now = at;
        service->tick();
    }
    // The same request from a session (`connection`) of listener account "centre".
    bool from_account(std::uint64_t connection, const std::string& text, std::uint8_t op,
                      std::optional<Its> its = {}) {
        SubmitSm sm;
        static_cast<ShortMessage&>(sm) = request("375291000001", text, op, its);
        return ingress->on_account_request("centre", connection, sm);
    }
    // Dials *141*3*6# and confirms closing the access; the change, held back before storage.
    Held close_held(const std::string& msisdn) {
        hold_performs = false;
        dial(msisdn, "*141*3*6#");
        answer(msisdn, "1");
        hold_performs = true;
        push(request(msisdn, "1", ussd_op::ussr_confirm));
        REQUIRE(held.size() == 1);
        return std::move(held.front());
    }
    std::uint64_t annulled() const { return stats().annulled; }
};

// A subscriber whose screens are in English.
const char* kEnglishSubscriber =
    "375291000002,P2,individual,subscriber,Видеонаблюдение,22222222,no,active,postpaid,0,en\n";

std::string text_of(const SubmitSm& sm) {
    auto t = smpp::decode_text(sm.data_coding, sm.tlvs.message_payload.value_or(sm.short_message));
    REQUIRE(t.ok());
    return *t;
}

}  // namespace

TEST_CASE("parse_ussd prefers message_payload and trims trailing padding") {
    DeliverSm sm = Gateway::request("375291000001", "ignored", 1);
    sm.tlvs.message_payload = "*141*3*6#\r";
    auto in = ussd::parse_ussd(sm);
    REQUIRE(in.ok());
    CHECK(in->text == "*141*3*6#");
    CHECK(in->op == 1);
    sm.tlvs.ussd_service_op.reset();
    CHECK(ussd::parse_ussd(sm).error().code == "ussd.not_ussd");
}

TEST_CASE("the session key follows the profile's mode") {
    ussd::InboundUssd in;
    in.subscriber.address = "375291000001";
    in.its_session_info = Its{7, 0};
    in.user_message_reference = 9;
    CHECK(ussd::session_key(in, ussd::SessionKeyMode::automatic) == "375291000001|i7");
    CHECK(ussd::session_key(in, ussd::SessionKeyMode::user_message_reference) == "375291000001|u9");
    CHECK(ussd::session_key(in, ussd::SessionKeyMode::msisdn) == "375291000001");
    in.its_session_info.reset();
    CHECK(ussd::session_key(in, ussd::SessionKeyMode::automatic) == "375291000001|u9");
}

TEST_CASE("*141*0# sends a password SMS and ends the dialogue, echoing its_session_info") {
    Gateway g;
    auto r = g.dial("375291000001", "*141*0#", Its{7, 0x04});
    CHECK(r.final);
    CHECK(r.link == "ussdc");
    CHECK(r.pdu.service_type == "USSD");
    CHECK(r.pdu.tlvs.ussd_service_op == ussd_op::pssr_response);
    REQUIRE(r.pdu.tlvs.its_session_info);
    CHECK((*r.pdu.tlvs.its_session_info)[0] == 7);
    CHECK((*r.pdu.tlvs.its_session_info)[1] == 0x05);  // end-of-session bit set
    CHECK(r.pdu.destination.address == "375291000001");
    CHECK(r.pdu.destination.ton == 1);
    CHECK(r.pdu.source.address == "141");
    CHECK(r.pdu.data_coding == 8);  // Cyrillic: UCS2
    CHECK(contains(text_of(r.pdu), "SMS"));
    CHECK(g.active() == 0);
    // The SMS is in the outbox, committed before the reply was built.
    auto due = g.outbox<std::vector<storage::OutboxMessage>>(
        [](storage::SmsOutbox& o, std::int64_t now) { return o.claim_due(now, 10); });
    REQUIRE(due.ok());
    REQUIRE(due->size() == 1);
    CHECK(due->front().msisdn.text() == "375291000001");
    CHECK(due->front().kind == "password");
}

TEST_CASE("*141*3*6#: close with confirmation, then reopen with PUK1; wrong PUK1 counted") {
    Gateway g;
    Its its{3, 0x02};
    auto r = g.dial("375291000001", "*141*3*6#", its);
    CHECK_FALSE(r.final);
    CHECK(r.pdu.tlvs.ussd_service_op == ussd_op::ussr_request);
    CHECK(((*r.pdu.tlvs.its_session_info)[1] & 0x01) == 0);  // dialogue goes on
    CHECK(contains(text_of(r.pdu), "открыт"));
    CHECK(g.active() == 1);

    r = g.answer("375291000001", "1", its);  // close
    CHECK_FALSE(r.final);
    r = g.answer("375291000001", "1", its);  // yes
    CHECK(r.final);
    CHECK(contains(text_of(r.pdu), "закрыт"));
    CHECK_FALSE(g.record("375291000001").cabinet.access_open);

    r = g.dial("375291000001", "*141*3*6#", its);
    CHECK(contains(text_of(r.pdu), "закрыт"));
    r = g.answer("375291000001", "1", its);  // open
    CHECK(contains(text_of(r.pdu), "PUK1"));
    r = g.answer("375291000001", "12345678", its);
    CHECK_FALSE(r.final);
    CHECK(contains(text_of(r.pdu), "2"));  // tries left
    CHECK(g.record("375291000001").cabinet.puk_failures == 1);
    r = g.answer("375291000001", "11111111", its);
    CHECK(r.final);
    CHECK(contains(text_of(r.pdu), "открыт"));
    CHECK(g.record("375291000001").cabinet.access_open);
}

TEST_CASE("dialogues are keyed by session number; user_message_reference is echoed") {
    Gateway g;
    auto a = g.dial("375291000001", "*141*3*6#", Its{1, 0});
    CHECK_FALSE(a.final);
    // A new session number is a new dialogue; the phone has left the old one.
    auto b = g.dial("375291000001", "*141*3*6#", Its{2, 0});
    CHECK_FALSE(b.final);
    CHECK(g.active() == 1);
    CHECK(g.answer("375291000001", "1", Its{1, 0}).final);  // gone
    CHECK_FALSE(g.answer("375291000001", "1", Its{2, 0}).final);
    CHECK(g.stats().orphan_answers == 1);

    DeliverSm sm = Gateway::request("375291000003", "*141#", ussd_op::pssr_indication);
    sm.tlvs.user_message_reference = 0x1234;
    auto r = g.send(sm);
    CHECK(r.pdu.tlvs.user_message_reference == 0x1234);
    CHECK_FALSE(r.pdu.tlvs.its_session_info.has_value());
    CHECK(g.active() == 2);
}

TEST_CASE("a new dialogue from the same subscriber replaces the old one") {
    Gateway g;
    g.dial("375291000001", "*141#");
    CHECK(g.active() == 1);
    auto r = g.dial("375291000001", "*141*3*6#");
    CHECK(g.active() == 1);
    CHECK(contains(text_of(r.pdu), "Доступ"));
    CHECK(g.stats().ended_as(ussd::DialogueOutcome::released) == 1);
}

TEST_CASE("an answer with no open dialogue gets a final screen") {
    Gateway g;
    auto r = g.answer("375291000001", "1");
    CHECK(r.final);
    CHECK(r.pdu.tlvs.ussd_service_op == ussd_op::pssr_response);
    CHECK(g.stats().orphan_answers == 1);
}

TEST_CASE("a release from the network ends the dialogue without a reply") {
    Gateway g;
    g.dial("375291000001", "*141#");
    std::size_t shown = g.replies.size();
    g.push(Gateway::request("375291000001", "", 0x81));
    CHECK(g.replies.size() == shown);
    CHECK(g.ingress->open_sessions() == 0);
    CHECK(g.active() == 0);
    CHECK_FALSE(g.service->dialogues().next_deadline().has_value());
}

TEST_CASE("the step timeout ends the dialogue with the timeout screen") {
    Gateway g;
    g.dial("375291000001", "*141#");
    REQUIRE(g.service->dialogues().next_deadline());
    CHECK(*g.service->dialogues().next_deadline() == g.now + std::chrono::seconds(30));
    TimePoint start = g.now;
    std::size_t shown = g.replies.size();
    g.timer(start + std::chrono::seconds(29));
    CHECK(g.replies.size() == shown);
    g.timer(start + std::chrono::seconds(31));
    REQUIRE(g.replies.size() == shown + 1);
    CHECK(g.replies.back().final);
    CHECK(contains(text_of(g.replies.back().pdu), "Время ожидания"));
    CHECK(g.stats().ended_as(ussd::DialogueOutcome::timeout) == 1);
    CHECK(g.active() == 0);
}

TEST_CASE("a deliver_sm without ussd_service_op is not USSD") {
    Gateway g;
    DeliverSm sm = Gateway::request("375291000001", "hello", 1);
    sm.tlvs.ussd_service_op.reset();
    CHECK_FALSE(g.ingress->on_link_request("ussdc", sm));
    CHECK(g.replies.empty());
}

TEST_CASE("a USSD request whose text cannot be decoded is answered with a final screen") {
    Gateway g;
    DeliverSm sm = Gateway::request("375291000001", "x", 1);
    sm.data_coding = 0x02;
    CHECK(g.ingress->on_link_request("ussdc", sm));
    REQUIRE(g.replies.size() == 1);
    CHECK(g.replies[0].final);
    CHECK(g.stats().refused == 1);
}

TEST_CASE("the profile's op codes, service_type and reply address are applied") {
    Gateway g;
    g.profile.op_continue = 0x22;
    g.profile.service_type = "USS";
    g.profile.reply_source_address = "1410";
    g.profile.reply_in_payload = true;
    g.make_ingress();
    auto r = g.dial("375291000001", "*141#");
    CHECK(r.pdu.tlvs.ussd_service_op == 0x22);
    CHECK(r.pdu.service_type == "USS");
    CHECK(r.pdu.source.address == "1410");
    CHECK(r.pdu.short_message.empty());
    CHECK(r.pdu.tlvs.message_payload.has_value());
}

TEST_CASE("the subscriber's language from storage chooses the screens' language") {
    Gateway g;
    storage::test::import_csv(g.cfg, kEnglishSubscriber);
    auto r = g.dial("375291000002", "*141*3*6#");
    CHECK(text_of(r.pdu).find("Cabinet access is open") != std::string::npos);
    CHECK(r.pdu.data_coding == 0);  // English fits GSM 7-bit
    auto ru = g.dial("375291000001", "*141*3*6#");
    CHECK(ru.pdu.data_coding == 8);
}

TEST_CASE("a release annuls a confirmed change that storage has not begun writing") {
    Gateway g;
    g.dial("375291000001", "*141*3*6#");
    g.answer("375291000001", "1");
    HeldWriter writer(g.st->committer());
    g.push(Gateway::request("375291000001", "1", ussd_op::ussr_confirm));  // yes: close
    REQUIRE(g.in_flight == 1);
    g.push(Gateway::request("375291000001", "", 0x81));  // the network releases at once
    CHECK(g.annulled() == 1);
    CHECK(g.active() == 0);
    writer.release();
    REQUIRE(g.loop.run_until([&] { return g.in_flight == 0; }));
    CHECK(g.access_open("375291000001"));
    CHECK(g.replies.size() == 2);  // no screen after the release

    // The same with reopening by PUK1: access stays closed, no PUK1 attempt is recorded.
    g.dial("375291000001", "*141*3*6#");
    g.answer("375291000001", "1");
    g.answer("375291000001", "1");
    REQUIRE_FALSE(g.access_open("375291000001"));
    g.dial("375291000001", "*141*3*6#");
    g.answer("375291000001", "1");
    HeldWriter again(g.st->committer());
    g.push(Gateway::request("375291000001", "11111111", ussd_op::ussr_confirm));
    g.push(Gateway::request("375291000001", "", 0x81));
    again.release();
    REQUIRE(g.loop.run_until([&] { return g.in_flight == 0; }));
    CHECK_FALSE(g.access_open("375291000001"));
    CHECK(g.annulled() == 2);
}

TEST_CASE("a new dial of the same subscriber annuls the change its other dialogue waits for") {
    Gateway g;
    g.dial("375291000001", "*141*3*6#", Its{1, 0});
    g.answer("375291000001", "1", Its{1, 0});
    HeldWriter writer(g.st->committer());
    g.push(Gateway::request("375291000001", "1", ussd_op::ussr_confirm, Its{1, 0}));
    // Another session number: a new dialogue, and the old one's change is called off.
    g.push(Gateway::request("375291000001", "*141#", ussd_op::pssr_indication, Its{2, 0}));
    CHECK(g.annulled() == 1);
    CHECK(g.active() == 1);
    writer.release();
    REQUIRE(g.loop.run_until([&] { return g.in_flight == 0; }));
    CHECK(g.access_open("375291000001"));
}

TEST_CASE("a timeout annuls a change not yet begun, but shows one already being written") {
    Gateway g;
    auto close = g.close_held("375291000001");
    g.held.clear();
    REQUIRE(close.request.cancellation);

    // Storage has begun writing the change when the step deadline passes.
    REQUIRE(close.request.cancellation->begin_write());
    TimePoint deadline = *g.service->dialogues().next_deadline();
    std::size_t shown = g.replies.size();
    g.timer(deadline);
    CHECK(g.replies.size() == shown);  // no timeout screen: the outcome is awaited
    CHECK(g.annulled() == 0);
    CHECK(g.service->dialogues().next_deadline() == deadline + ussd::kOutcomeWait);
    g.now = deadline + std::chrono::milliseconds(20);
    close.done({"ok", {}});
    REQUIRE(g.replies.size() == shown + 1);
    CHECK(g.replies.back().final);
    CHECK(contains(text_of(g.replies.back().pdu), "закрыт"));  // what storage holds
    CHECK(g.active() == 0);

    // Not begun when the deadline passes: annulled, the timeout screen, the late result
    // ignored.
    auto second = g.close_held("375291000002");
    deadline = *g.service->dialogues().next_deadline();
    shown = g.replies.size();
    g.timer(deadline);
    REQUIRE(g.replies.size() == shown + 1);
    CHECK(contains(text_of(g.replies.back().pdu), "Время ожидания"));
    CHECK(g.annulled() == 1);
    CHECK_FALSE(second.request.cancellation->begin_write());  // storage will write nothing
    CHECK(g.active() == 0);
}

TEST_CASE("a suspended subscriber is refused at *141*3*6# and cannot close its access") {
    Gateway g;
    auto r = g.dial("375291000004", "*141*3*6#");
    CHECK(r.final);
    CHECK(contains(text_of(r.pdu), "обслуживание номера приостановлено"));
    CHECK(g.access_open("375291000004"));
}

TEST_CASE("GSM 7-bit screens use the link profile's data_coding; Cyrillic stays UCS2") {
    Gateway g;
    storage::test::import_csv(g.cfg, kEnglishSubscriber);
    g.profile.gsm7_data_coding = 0x0F;
    g.make_ingress();
    auto r = g.dial("375291000002", "*141*3*6#");
    CHECK(r.pdu.data_coding == 0x0F);
    CHECK(text_of(r.pdu) == "Cabinet access is open\n1 Close access");
    CHECK(g.dial("375291000001", "*141*3*6#").pdu.data_coding == 8);

    g.profile.gsm7_data_coding = 0x01;  // IA5: the ASCII bytes
    g.make_ingress();
    r = g.dial("375291000002", "*141*3*6#");
    CHECK(r.pdu.data_coding == 0x01);
    CHECK(r.pdu.short_message == "Cabinet access is open\n1 Close access");
    g.profile.gsm7_data_coding = 0x00;
    g.make_ingress();
    CHECK(g.dial("375291000002", "*141*3*6#").pdu.data_coding == 0x00);
}

TEST_CASE(
    "a listener account's dialogue: submit_sm in, deliver_sm (or data_sm) out on its session") {
    Gateway g;
    REQUIRE(g.from_account(17, "*141#", ussd_op::pssr_indication, Its{4, 0}));
    REQUIRE(g.account_replies.size() == 1);
    CHECK(g.account_replies[0].account == "centre");
    CHECK(g.account_replies[0].connection == 17);  // the session it came from
    const auto* d = std::get_if<DeliverSm>(&g.account_replies[0].body);
    REQUIRE(d);
    CHECK(d->tlvs.ussd_service_op == ussd_op::ussr_request);
    CHECK((*d->tlvs.its_session_info)[0] == 4);
    CHECK(d->destination.address == "375291000001");
    CHECK(g.service->dialogues().stats().at("smpp-server:centre").begun == 1);
    // An account and a client link are two ingresses: the same subscriber has one on each.
    g.dial("375291000001", "*141#", Its{4, 0});
    CHECK(g.active() == 2);

    // data_sm replies: the text in message_payload.
    g.config.accounts["centre"].reply_command = ussd::ReplyCommand::data_sm;
    g.make_ingress();
    REQUIRE(g.from_account(18, "*141#", ussd_op::pssr_indication, Its{4, 0}));
    const auto* ds = std::get_if<DataSm>(&g.account_replies.back().body);
    REQUIRE(ds);
    REQUIRE(ds->tlvs.message_payload);
    auto shown = smpp::decode_text(ds->data_coding, *ds->tlvs.message_payload);
    REQUIRE(shown.ok());
    CHECK(contains(*shown, "кабинет"));
    CHECK(ds->tlvs.ussd_service_op == ussd_op::ussr_request);
    CHECK(g.account_replies.back().connection == 18);
}

TEST_CASE("no session of the account left: its dialogues end, their unfinished changes annulled") {
    Gateway g;
    REQUIRE(g.from_account(3, "*141*3*6#", ussd_op::pssr_indication));
    REQUIRE(g.loop.run_until([&] { return g.account_replies.size() == 1 && g.in_flight == 0; }));
    REQUIRE(g.from_account(3, "1", ussd_op::ussr_confirm));  // close?
    REQUIRE(g.account_replies.size() == 2);
    g.hold_performs = true;
    REQUIRE(g.from_account(3, "1", ussd_op::ussr_confirm));  // yes: the change is on its way
    REQUIRE(g.held.size() == 1);
    // The account's last session closes while the change waits for storage.
    g.account_up = false;
    g.ingress->on_account_unbound("centre");
    CHECK(g.active() == 0);
    CHECK(g.ingress->open_sessions() == 0);
    const auto& stats = g.service->dialogues().stats().at("smpp-server:centre");
    CHECK(stats.annulled == 1);
    CHECK(stats.ended_as(ussd::DialogueOutcome::released) == 1);
    CHECK_FALSE(g.held.front().request.cancellation->begin_write());  // nothing is written

    // A screen that finds no session (it closed between the request and the screen): the
    // ingress releases the dialogue.
    g.hold_performs = false;
    g.held.clear();
    g.account_up = true;
    REQUIRE(g.from_account(3, "*141*3*6#", ussd_op::pssr_indication));
    REQUIRE(g.loop.run_until([&] { return g.account_replies.size() == 3 && g.in_flight == 0; }));
    g.account_up = false;
    REQUIRE(g.from_account(3, "1", ussd_op::ussr_confirm));  // "close?" cannot be shown
    CHECK(g.active() == 0);
    CHECK(stats.ended_as(ussd::DialogueOutcome::released) == 2);
    CHECK(g.ingress->open_sessions() == 0);
    CHECK(g.access_open("375291000001"));
}

}  // namespace smpp_ussd_ingress_test
