// engine/UssdStack: the USSD core of one event loop, wired. The dialogue table and its shell
// (ussd::UssdService) on the current menus, the cabinet bridge that performs their actions on
// that loop's cabinet (storage::CabinetService, completions posted to the same loop), and the
// SMPP ingress (ussd::SmppUssdIngress) that answers on that loop's SMPP links and listener.
// The engine has one on its main loop (where the listener's accounts and the HTTP ingress
// are served too) and one on each link loop (engine/LinkLoop.hpp). On its loop's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/Metrics.hpp"
#include "engine/cabinet/CabinetBridge.hpp"
#include "engine/ussd/SmppUssdIngress.hpp"
#include "engine/ussd/UssdService.hpp"
#include "menus/MenuRegistry.hpp"
#include "smpp/SmppService.hpp"
#include "storage/CabinetService.hpp"

namespace ussdgw {

// What the USSD metrics read of one UssdStack (copied on its loop's thread).
struct UssdStats {
    std::vector<std::string> ingresses;
    std::map<std::string, ussd::UssdDialogues::IngressStats> dialogues;  // by ingress
    std::map<std::string, metrics::Histogram::Snapshot> steps;           // by ingress
};

class UssdStack {
  public:
    struct Wiring {
        menus::MenuRegistry& menus;
        menus::DialogueSettings settings;
        const ussd::UssdConfig& ussd;
        // After a password was issued (the SMS service sends it); on this loop's thread.
        std::function<void()> password_issued;
    };

    UssdStack(boost::asio::io_context& io, smpp::SmppService& smpp,
              storage::CabinetService& cabinet, Wiring wiring);
    UssdStack(const UssdStack&) = delete;
    UssdStack& operator=(const UssdStack&) = delete;

    // Registers an ingress for each of `smpp`'s client links with the ussd role, and for
    // each listener account with it when the listener is `smpp`'s.
    void add_smpp_ingresses();
    // A request received on a client link. A delivery receipt that `receipt` takes (the SMS
    // service's) is accepted; USSD goes to its dialogue; anything else is accepted, so that
    // the SMSC does not retry it (a mobile-originated SMS is logged).
    using ReceiptTaker = std::function<bool(const smpp::ShortMessage&)>;
    void on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                         smpp::SmppReply reply, const ReceiptTaker& receipt = {});
    // Ends every open dialogue with a final screen and takes no more requests.
    void shutdown();

    // The subscriber's preferred language ("" = none), read now on this loop's connection.
    std::string language_of(const std::string& msisdn) const;
    ussd::UssdService& service() { return *service_; }
    ussd::SmppUssdIngress& smpp_ingress() { return *smpp_ingress_; }
    UssdStats stats() const;

  private:
    smpp::SmppService& smpp_;
    storage::CabinetService& cabinet_;
    cabinet::CabinetBridge bridge_;
    std::unique_ptr<ussd::UssdService> service_;
    std::unique_ptr<ussd::SmppUssdIngress> smpp_ingress_;
    bool stopping_ = false;
};

}  // namespace ussdgw
