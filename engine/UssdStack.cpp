#include "engine/UssdStack.hpp"

#include <algorithm>

#include "engine/base/Log.hpp"

namespace ussdgw {

namespace {

const char* outcome_kind(const smpp::RequestOutcome& o) {
    return o.kind == smpp::RequestOutcome::Kind::response  ? "refused"
           : o.kind == smpp::RequestOutcome::Kind::timeout ? "timeout"
                                                           : "not_sent";
}

bool has_role(const std::vector<std::string>& roles, const char* role) {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// Screens leave on the link or listener session their dialogue came from.
ussd::SmppUssdIngress::Transport transport_over(smpp::SmppService& smpp) {
    ussd::SmppUssdIngress::Transport transport;
    transport.to_link = [&smpp](const std::string& name, smpp::SubmitSm sm) {
        smpp::SmppClientLink* link = smpp.link(name);
        if (!link) {
            log::error("ussd.no_link", "link", name);
            return;
        }
        link->submit(std::move(sm), [name](smpp::RequestOutcome& o) {
            if (!o.ok())
                log::warn("ussd.reply_failed", "link", name, "kind", outcome_kind(o), "status",
                          o.status);
        });
    };
    transport.to_account = [&smpp](const std::string& account, std::uint64_t connection,
                                   smpp::PduBody body) {
        smpp::SmppServer* server = smpp.server();
        if (!server) return false;
        auto sent = server->send_to(
            account, std::move(body),
            [account](smpp::RequestOutcome& o) {
                if (!o.ok()) log::warn("ussd.reply_failed", "account", account, "status", o.status);
            },
            connection);
        if (!sent.ok())
            log::warn("ussd.reply_not_sent", "account", account, "error",
                      smpp::send_error_name(sent.error));
        return sent.ok();
    };
    return transport;
}

}  // namespace

UssdStack::UssdStack(boost::asio::io_context& io, smpp::SmppService& smpp,
                     storage::CabinetService& cabinet, Wiring wiring)
    : smpp_(smpp), cabinet_(cabinet), bridge_(cabinet, storage::Channel::ussd) {
    menus::MenuRegistry& menus = wiring.menus;
    ussd::UssdDialogues dialogues(
        [&menus] { return menus.current(); }, wiring.settings,
        [this](const std::string& msisdn) { return language_of(msisdn); });
    service_ = std::make_unique<ussd::UssdService>(
        io, std::move(dialogues),
        [this](const menus::ActionRequest& r, std::function<void(menus::ActionResult)> done) {
            bridge_.perform(r, std::move(done));
        },
        std::move(wiring.password_issued));
    smpp_ingress_ =
        std::make_unique<ussd::SmppUssdIngress>(*service_, wiring.ussd, transport_over(smpp));
}

void UssdStack::add_smpp_ingresses() {
    const smpp::SmppConfig& cfg = smpp_.config();
    for (const auto& link : cfg.clients)
        if (has_role(link.roles, "ussd")) smpp_ingress_->add_link(link.name);
    if (cfg.server.enabled)
        for (const auto& account : cfg.server.accounts)
            if (has_role(account.roles, "ussd")) smpp_ingress_->add_account(account.system_id);
}

void UssdStack::on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                                smpp::SmppReply reply, const ReceiptTaker& receipt) {
    smpp::ShortMessage buffer;
    const smpp::ShortMessage* message = smpp::short_message_of(request, buffer);
    if (!message || (receipt && receipt(*message))) {
        reply.accept();
        return;
    }
    const smpp::ShortMessage& sm = *message;
    if (!sm.tlvs.ussd_service_op) {
        // A mobile-originated SMS: nothing here serves it; accepted so the SMSC does not retry.
        log::info("sms.mo_ignored", "link", peer.link, "from", sm.source.address);
        reply.accept();
        return;
    }
    reply.accept();  // deliver_sm_resp first; the dialogue's answer follows as submit_sm
    if (stopping_) return;
    if (!smpp_ingress_->on_link_request(peer.link, sm))
        log::limited(log::Level::warn, "ussd.not_served", "link", peer.link, "reason",
                     "the link has no ussd role");
}

void UssdStack::shutdown() {
    stopping_ = true;
    service_->shutdown();
}

std::string UssdStack::language_of(const std::string& msisdn) const {
    auto m = storage::Msisdn::parse(msisdn);
    if (!m) return {};
    auto rec = cabinet_.find(*m);
    return rec && *rec ? (*rec)->subscriber.language : std::string();
}

UssdStats UssdStack::stats() const {
    UssdStats s;
    s.ingresses = service_->ingresses();
    s.dialogues = service_->dialogues().stats();
    for (const auto& [name, h] : service_->dialogues().step_seconds())
        s.steps.emplace(name, h.snapshot());
    return s;
}

}  // namespace ussdgw
