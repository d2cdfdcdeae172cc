// engine/cabinet: performs the menus' domain actions (menus/DomainAction.hpp) with the
// storage's CabinetService, and maps storage's stable error codes to the menus' outcome
// codes. Completions arrive through the storage's Post (the engine's event loop).
#pragma once

#include <functional>
#include <string>

#include "menus/DomainAction.hpp"
#include "storage/CabinetService.hpp"

namespace ussdgw::cabinet {

// The outcome code a menu understands for a storage refusal (e.g. "access.closed_lost_sim"
// -> "access.closed_by_operator", "role.other_client" -> "not_same_client").
std::string outcome_for(const Error& error);
// "access.open" or the closed_by outcome of a subscriber's cabinet state.
std::string outcome_for(const storage::CabinetState& state);

class CabinetBridge {
  public:
    using Done = std::function<void(menus::ActionResult)>;

    explicit CabinetBridge(storage::CabinetService& cabinet, storage::Channel channel)
        : cabinet_(cabinet), channel_(channel) {}

    void perform(const menus::ActionRequest& request, Done done);

  private:
    void managed_state(storage::Msisdn manager, storage::Msisdn target, Done done);

    storage::CabinetService& cabinet_;
    storage::Channel channel_;
};

}  // namespace ussdgw::cabinet
