#include "smpp/SmppApplication.hpp"

namespace ussdgw::smpp {

const char* required_role(const Pdu& request) {
    const Tlvs* t = nullptr;
    if (auto* s = std::get_if<SubmitSm>(&request.body)) t = &s->tlvs;
    if (auto* d = std::get_if<DeliverSm>(&request.body)) t = &d->tlvs;
    if (auto* d = std::get_if<DataSm>(&request.body)) t = &d->tlvs;
    return t && t->ussd_service_op ? "ussd" : "sms";
}

void SmppApplication::on_link_request(const PeerInfo&, const Pdu&, SmppReply reply) {
    reply.accept({});
}

void SmppApplication::on_link_state(const std::string&, bool) {}

void SmppApplication::on_server_request(const PeerInfo&, const Pdu&, SmppReply reply) {
    reply.reject(kNotServed);
}

void SmppApplication::on_server_bind(const PeerInfo&, BindType, bool) {}

}  // namespace ussdgw::smpp
