// engine/cabinet: performs the menus' domain actions (menus/DomainAction.hpp) with the
// storage's CabinetService, and turns storage's answers into the menus' outcomes: stable
// error codes become outcome codes, and a refusal's structured data (tries left, the end of
// a lockout) becomes the fields the screens show. The rules themselves are storage's
// (storage/CabinetRules): the bridge decides nothing. The pure mapping functions are public
// so that a stand-in domain (the menus' tests) answers exactly as the real one does.
// Completions arrive through the storage's Post (the engine's event loop).
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

// "YYYY-MM-DD hh:mm" in local time: how screens show the end of a lockout.
std::string screen_time(std::int64_t ms_since_epoch);

// The menus' answer to a lookup of access state: the state's outcome, or the refusal's.
menus::ActionResult access_result(const Result<storage::CabinetState>& looked_up);
// The menus' answer to a change: "ok", or the refusal's outcome with its fields
// (attempts_left, until). Closing what is already closed, or opening what is already
// open, leaves access as the subscriber wants it: "ok".
menus::ActionResult change_result(menus::ActionKind kind, const Status& changed);

class CabinetBridge {
  public:
    using Done = std::function<void(menus::ActionResult)>;

    explicit CabinetBridge(storage::CabinetService& cabinet, storage::Channel channel)
        : cabinet_(cabinet), channel_(channel) {}

    void perform(const menus::ActionRequest& request, Done done);

  private:
    storage::CabinetService& cabinet_;
    storage::Channel channel_;
};

}  // namespace ussdgw::cabinet
