// SmppApplication: the engine's side of the SMPP layer, the one interface through which the
// client links and the server listener report (see SmppConnection.hpp for how the layer
// reports and lives). Override what the application serves; the defaults accept
// deliver_sm / data_sm on client links (empty message_id) and refuse what reaches the
// server (kNotServed). An SmppApplication must outlive the links and servers it is given to.
#pragma once

#include <string>

#include "smpp/SmppConnection.hpp"

namespace ussdgw::smpp {

// The answer to a request the listener does not serve: ESME_RINVSERTYP ("invalid service
// type"), a permanent refusal that ESMEs do not retry (ESME_RSYSERR would be retried as a
// transient fault, ESME_RX_*_APPN are an ESME receiver's codes). See conf/ussdgw.toml.
constexpr std::uint32_t kNotServed = status::invsertyp;

// The account role a received request needs: "ussd" when it carries ussd_service_op, else
// "sms".
const char* required_role(const Pdu& request);
// Whether a received submit_sm / deliver_sm / data_sm is a delivery receipt (esm_class).
bool carries_receipt(const Pdu& request);

class SmppApplication {
  public:
    virtual ~SmppApplication() = default;
    // deliver_sm / data_sm received on client link `peer.link`: answer now or later.
    virtual void on_link_request(const PeerInfo& peer, const Pdu& request, SmppReply reply);
    // Client link `link` bound (true) or lost its bind (false).
    virtual void on_link_state(const std::string& link, bool bound);
    // submit_sm / data_sm / deliver_sm received by the server from account `peer.link`, when
    // the account has the role the request needs, or it is a delivery receipt from an
    // account with outgoing_sms (else the server refused it already).
    virtual void on_server_request(const PeerInfo& peer, const Pdu& request, SmppReply reply);
    // A server session of account `peer.link` bound (true) or closed (false).
    virtual void on_server_bind(const PeerInfo& peer, BindType type, bool bound);
};

}  // namespace ussdgw::smpp
