#include "smpp/Pdu.hpp"

#include <type_traits>

namespace ussdgw::smpp {

const char* command_name(std::uint32_t command_id) {
    switch (static_cast<CommandId>(command_id)) {
        case CommandId::generic_nack:
            return "generic_nack";
        case CommandId::bind_receiver:
            return "bind_receiver";
        case CommandId::bind_receiver_resp:
            return "bind_receiver_resp";
        case CommandId::bind_transmitter:
            return "bind_transmitter";
        case CommandId::bind_transmitter_resp:
            return "bind_transmitter_resp";
        case CommandId::submit_sm:
            return "submit_sm";
        case CommandId::submit_sm_resp:
            return "submit_sm_resp";
        case CommandId::deliver_sm:
            return "deliver_sm";
        case CommandId::deliver_sm_resp:
            return "deliver_sm_resp";
        case CommandId::unbind:
            return "unbind";
        case CommandId::unbind_resp:
            return "unbind_resp";
        case CommandId::bind_transceiver:
            return "bind_transceiver";
        case CommandId::bind_transceiver_resp:
            return "bind_transceiver_resp";
        case CommandId::outbind:
            return "outbind";
        case CommandId::enquire_link:
            return "enquire_link";
        case CommandId::enquire_link_resp:
            return "enquire_link_resp";
        case CommandId::data_sm:
            return "data_sm";
        case CommandId::data_sm_resp:
            return "data_sm_resp";
    }
    return "unknown";
}

namespace {

std::uint32_t bind_id(BindType type, bool response) {
    std::uint32_t id = 0;
    switch (type) {
        case BindType::receiver:
            id = static_cast<std::uint32_t>(CommandId::bind_receiver);
            break;
        case BindType::transmitter:
            id = static_cast<std::uint32_t>(CommandId::bind_transmitter);
            break;
        case BindType::transceiver:
            id = static_cast<std::uint32_t>(CommandId::bind_transceiver);
            break;
    }
    return response ? (id | 0x80000000u) : id;
}

template <typename T>
constexpr CommandId fixed_id() {
    if constexpr (std::is_same_v<T, GenericNack>) return CommandId::generic_nack;
    if constexpr (std::is_same_v<T, Outbind>) return CommandId::outbind;
    if constexpr (std::is_same_v<T, Unbind>) return CommandId::unbind;
    if constexpr (std::is_same_v<T, UnbindResp>) return CommandId::unbind_resp;
    if constexpr (std::is_same_v<T, EnquireLink>) return CommandId::enquire_link;
    if constexpr (std::is_same_v<T, EnquireLinkResp>) return CommandId::enquire_link_resp;
    if constexpr (std::is_same_v<T, SubmitSm>) return CommandId::submit_sm;
    if constexpr (std::is_same_v<T, SubmitSmResp>) return CommandId::submit_sm_resp;
    if constexpr (std::is_same_v<T, DeliverSm>) return CommandId::deliver_sm;
    if constexpr (std::is_same_v<T, DeliverSmResp>) return CommandId::deliver_sm_resp;
    if constexpr (std::is_same_v<T, DataSm>) return CommandId::data_sm;
    if constexpr (std::is_same_v<T, DataSmResp>) return CommandId::data_sm_resp;
    return CommandId::generic_nack;
}

}  // namespace

const char* bind_type_name(BindType t) {
    switch (t) {
        case BindType::receiver:
            return "receiver";
        case BindType::transmitter:
            return "transmitter";
        case BindType::transceiver:
            return "transceiver";
    }
    return "?";
}

std::uint32_t Pdu::command_id() const {
    return std::visit(
        [](const auto& b) -> std::uint32_t {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, BindRequest>) {
                return bind_id(b.type, false);
            } else if constexpr (std::is_same_v<T, BindResponse>) {
                return bind_id(b.type, true);
            } else {
                return static_cast<std::uint32_t>(fixed_id<T>());
            }
        },
        body);
}

Pdu make_response(std::uint32_t request_command_id, std::uint32_t sequence_number,
                  std::uint32_t status, std::string message_id) {
    Pdu p;
    p.command_status = status;
    p.sequence_number = sequence_number;
    switch (static_cast<CommandId>(request_command_id)) {
        case CommandId::submit_sm:
            p.body = SubmitSmResp{std::move(message_id)};
            break;
        case CommandId::deliver_sm:
            p.body = DeliverSmResp{std::move(message_id)};
            break;
        case CommandId::data_sm:
            p.body = DataSmResp{std::move(message_id), {}};
            break;
        case CommandId::bind_receiver:
            p.body = BindResponse{BindType::receiver, {}, {}};
            break;
        case CommandId::bind_transmitter:
            p.body = BindResponse{BindType::transmitter, {}, {}};
            break;
        case CommandId::bind_transceiver:
            p.body = BindResponse{BindType::transceiver, {}, {}};
            break;
        case CommandId::unbind:
            p.body = UnbindResp{};
            break;
        case CommandId::enquire_link:
            p.body = EnquireLinkResp{};
            break;
        default:
            p.body = GenericNack{};
            break;
    }
    return p;
}

ShortMessage as_short_message(const DataSm& d) {
    ShortMessage sm;
    sm.service_type = d.service_type;
    sm.source = d.source;
    sm.destination = d.destination;
    sm.esm_class = d.esm_class;
    sm.registered_delivery = d.registered_delivery;
    sm.data_coding = d.data_coding;
    sm.tlvs = d.tlvs;
    return sm;
}

const ShortMessage* short_message_of(const Pdu& pdu, ShortMessage& buffer) {
    if (const auto* d = std::get_if<DeliverSm>(&pdu.body)) return d;
    if (const auto* s = std::get_if<SubmitSm>(&pdu.body)) return s;
    if (const auto* ds = std::get_if<DataSm>(&pdu.body)) {
        buffer = as_short_message(*ds);
        return &buffer;
    }
    return nullptr;
}

}  // namespace ussdgw::smpp
