// engine/ussd: UssdService, the USSD core's thin shell on the engine's event loop.
//
// It owns the dialogue table (`UssdDialogues`, sans-I/O) and its one steady_timer, performs
// the dialogues' domain actions through a `Performer` (the cabinet bridge in the engine)
// with their cancellation tokens, calls `on_password_issued` after a password was issued
// (the SMS service sends it at once), and hands every screen to the sink that its ingress
// registered (`register_ingress`). An ingress that goes away (`unregister_ingress`) ends its
// dialogues; their unfinished actions are annulled. The contract with the ingresses is
// engine/ussd/UssdIngress.hpp: every begin/answer gets exactly one screen back through the
// sink, now or later, unless the dialogue was released; a step not answered within the
// menus' step timeout gets a final "try later" screen and its action is annulled. Counters
// and step latency by ingress are in `dialogues().stats()` / `step_seconds()`.
// Single-threaded: call it on the loop's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/Lifetime.hpp"
#include "engine/ussd/UssdDialogues.hpp"
#include "engine/ussd/UssdIngress.hpp"

namespace ussdgw::ussd {

class UssdService {
  public:
    using Performer =
        std::function<void(const menus::ActionRequest&, std::function<void(menus::ActionResult)>)>;
    using Now = std::function<TimePoint()>;

    UssdService(boost::asio::io_context& io, UssdDialogues dialogues, Performer perform,
                std::function<void()> on_password_issued = {}, Now now = {});
    ~UssdService();
    UssdService(const UssdService&) = delete;
    UssdService& operator=(const UssdService&) = delete;

    // `name` is unique across ingress kinds ("smpp:<link>", "smpp-server:<account>",
    // "http:<account>"); registering a name again replaces its sink.
    void register_ingress(std::string name, ScreenSink sink);
    void unregister_ingress(const std::string& name);

    void begin(UssdBegin event);
    void answer(UssdAnswer event);
    void release(UssdRelease event);
    // A request the ingress could not read: a final "invalid request" screen.
    void refuse(IngressKey key);
    // Ends every dialogue with a final "service unavailable" screen (shutdown); nothing is
    // performed after it.
    void shutdown();
    // Runs what is due at now(): the timer calls it, and tests that feed time.
    void tick();

    const UssdDialogues& dialogues() const { return dialogues_; }
    // The names of the registered ingresses.
    std::vector<std::string> ingresses() const;

  private:
    void run(UssdDialogues::Actions& actions);
    void arm_timer();

    boost::asio::io_context& io_;
    UssdDialogues dialogues_;
    Performer perform_;
    std::function<void()> on_password_issued_;
    Now now_;
    std::map<std::string, ScreenSink> sinks_;
    boost::asio::steady_timer timer_;
    std::optional<TimePoint> armed_for_;
    bool stopped_ = false;
    Lifetime lifetime_;  // last member: ends first (engine/base/Lifetime.hpp)
};

}  // namespace ussdgw::ussd
