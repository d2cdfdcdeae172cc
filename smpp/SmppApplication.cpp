#include "smpp/SmppApplication.hpp"

namespace ussdgw::smpp {

const char* required_role(const Pdu& request) {
    const Tlvs* t = nullptr;
    if (auto* s = std::get_if<SubmitSm>(&request.body)) t = &s->tlvs;
    if (auto* d = std::get_if<DeliverSm>(&request.body)) t = &d->tlvs;
    if (auto* d = std::get_if<DataSm>(&request.body)) t = &d->tlvs;
    return t && t->ussd_service_op ? "ussd" : "sms";
}

bool carries_receipt(const Pdu& request) {
    std::uint8_t esm_class = 0;
    if (auto* s = std::get_if<SubmitSm>(&request.body))
        esm_class = s->esm_class;
    else if (auto* d = std::get_if<DeliverSm>(&request.body))
        esm_class = d->esm_class;
    else if (auto* d = std::get_if<DataSm>(&request.body))
        esm_class = d->esm_class;
    else
        return false;
    // esm_class bits 5..2: 0001 SMSC delivery receipt, 1000 intermediate notification.
    std::uint8_t type = (esm_class >> 2) & 0x0F;
    return type == 0x01 || type == 0x08;
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
