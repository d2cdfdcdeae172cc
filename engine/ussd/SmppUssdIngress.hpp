// engine/ussd: SmppUssdIngress, USSD over SMPP (SPEC 3) as an ingress of the USSD core.
//
// It reads USSD requests (a ussd_service_op on deliver_sm / data_sm from a client link, on
// submit_sm / data_sm from a listener account with the "ussd" role), decodes their text
// (smpp/SmppText), keys the dialogue by the profile's session key mode (its_session_info,
// user_message_reference or the subscriber), and turns op_begin / op_answer / the release
// ops into begin / answer / release of `UssdService`. Screens go back with op_continue or
// op_end, echoing its_session_info (the end bit on the final one) and
// user_message_reference, with the profile's data_coding, service_type and source address,
// in short_message or message_payload: as submit_sm on the client link the dialogue came
// from, or as deliver_sm (or data_sm, per account) on the listener session it came from; if
// that session is gone, on another bound session of the same account; if none is left (the
// account's last session closed, or a screen found none), the dialogue is released, so its
// unfinished action is annulled. Ingress names are
// "smpp:<link>" and "smpp-server:<account>". The sockets are behind `Transport`, so the
// adapter is driven in tests without them. The per-dialogue transport state (addresses,
// session TLVs, the session) is kept here until the dialogue's final screen or release.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "engine/base/Result.hpp"
#include "engine/ussd/UssdProfile.hpp"
#include "engine/ussd/UssdService.hpp"
#include "smpp/Pdu.hpp"

namespace ussdgw::ussd {

// A USSD request as the network sent it, decoded.
struct InboundUssd {
    smpp::Address subscriber;  // source_addr
    smpp::Address service;     // destination_addr
    std::uint8_t op = 0;
    std::string text;  // UTF-8
    std::optional<std::array<std::uint8_t, 2>> its_session_info;
    std::optional<std::uint16_t> user_message_reference;
};

// Reads a short message as a USSD request (message_payload before short_message; trailing
// padding trimmed); "ussd.not_ussd" when it has no ussd_service_op, the decoder's error when
// its text cannot be read.
Result<InboundUssd> parse_ussd(const smpp::ShortMessage& sm);

// The ingress's session key of a request: "<subscriber>|i<session number>",
// "<subscriber>|u<user_message_reference>" or "<subscriber>".
std::string session_key(const InboundUssd& in, SessionKeyMode mode);

class SmppUssdIngress {
  public:
    struct Transport {
        // A submit_sm on client link `link`.
        std::function<void(const std::string& link, smpp::SubmitSm)> to_link;
        // A deliver_sm / data_sm to a bound session of listener account `account`, session
        // `connection` if it is still bound, else another; false when none can take it.
        std::function<bool(const std::string& account, std::uint64_t connection, smpp::PduBody)>
            to_account;
    };

    SmppUssdIngress(UssdService& core, UssdConfig config, Transport transport);
    ~SmppUssdIngress();
    SmppUssdIngress(const SmppUssdIngress&) = delete;
    SmppUssdIngress& operator=(const SmppUssdIngress&) = delete;

    // Registers the ingress of client link `link` ("smpp:<link>") / listener account
    // `system_id` ("smpp-server:<system_id>") with the core.
    void add_link(const std::string& link);
    void add_account(const std::string& system_id);

    // A request received on client link `link` / from listener account `account` on session
    // `connection`. False when it is not USSD (no ussd_service_op) or the link / account was
    // not added: the caller routes it.
    bool on_link_request(const std::string& link, const smpp::ShortMessage& sm);
    bool on_account_request(const std::string& account, std::uint64_t connection,
                            const smpp::ShortMessage& sm);

    // Listener account `account` has no bound session left that could take a reply: its
    // dialogues end now, and their unfinished changes are annulled.
    void on_account_unbound(const std::string& account);

    std::size_t open_sessions() const { return origins_.size(); }

  private:
    enum class Kind : std::uint8_t { link, account };
    // What a reply needs of the dialogue's last request: where it came from, its addresses
    // and session TLVs (not its text: the core has it). Kept per open dialogue, so compact.
    struct Origin {
        Kind kind = Kind::link;
        const std::string* name = nullptr;  // link name or account system_id (registered_)
        std::uint64_t connection = 0;
        smpp::Address subscriber;  // source_addr
        smpp::Address service;     // destination_addr
        std::optional<std::array<std::uint8_t, 2>> its_session_info;
        std::optional<std::uint16_t> user_message_reference;
    };
    bool on_request(Kind kind, const std::string& name, std::uint64_t connection,
                    const smpp::ShortMessage& sm);
    void register_ingress(std::string ingress, const std::string& name);
    const UssdProfile& profile(Kind kind, const std::string& name) const;
    void on_screen(const UssdScreen& screen);
    smpp::ShortMessage reply_body(const Origin& o, const UssdScreen& screen) const;
    void forget_subscriber(const std::string& ingress, const std::string& subscriber);

    UssdService& core_;
    UssdConfig config_;
    Transport transport_;
    std::map<IngressKey, Origin> origins_;
    // Ingress name ("smpp:<link>") -> link name or account system_id; never erased before
    // the destructor, so origins point at the names.
    std::map<std::string, std::string> registered_;
};

}  // namespace ussdgw::ussd
