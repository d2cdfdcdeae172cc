// An in-memory stand-in for the storage domain, used only by `ussdgw menus try` so that
// integrators can walk the menus without a database. Not for production: nothing persists.
//
// Every MSISDN is a known individual subscriber with PUK1 12345678 and access open, except:
//   375290000001  administrator of the legal entity "demo-org"
//   375290000002  subscriber of "demo-org"
//   375290000003  subscriber of "other-org"
// Three wrong PUK1 entries lock further tries for 30 minutes; three passwords per run.
#pragma once

#include <map>
#include <string>

#include "menus/DomainAction.hpp"

namespace ussdgw::menus {

class DemoDomain : public ActionPerformer {
  public:
    struct Subscriber {
        std::string client;
        std::string role = "subscriber";  // subscriber, supervisor, administrator
        std::string puk = "12345678";
        std::string access = "open";  // open, subscriber, organisation, operator (closed by)
        bool suspended = false;
        int wrong_puk = 0;
        int passwords = 0;
    };

    DemoDomain();
    ActionResult perform(const ActionRequest& request) override;
    Subscriber& subscriber(const std::string& msisdn);

  private:
    std::map<std::string, Subscriber> subscribers_;
};

}  // namespace ussdgw::menus
