#include "engine/ussd/UssdService.hpp"

#include "engine/base/Log.hpp"

namespace ussdgw::ussd {

UssdService::UssdService(boost::asio::io_context& io, UssdDialogues dialogues, Performer perform,
                         std::function<void()> on_password_issued, Now now)
    : io_(io),
      dialogues_(std::move(dialogues)),
      perform_(std::move(perform)),
      on_password_issued_(std::move(on_password_issued)),
      now_(now ? std::move(now) : Now([] { return std::chrono::steady_clock::now(); })),
      timer_(io) {}

UssdService::~UssdService() = default;

void UssdService::register_ingress(std::string name, ScreenSink sink) {
    sinks_[std::move(name)] = std::move(sink);
}

std::vector<std::string> UssdService::ingresses() const {
    std::vector<std::string> names;
    for (const auto& [name, sink] : sinks_)
        names.push_back(name);
    return names;
}

void UssdService::unregister_ingress(const std::string& name) {
    if (sinks_.erase(name) == 0) return;
    UssdDialogues::Actions actions;
    dialogues_.end_ingress(name, now_(), actions);
    run(actions);
}

void UssdService::begin(UssdBegin event) {
    if (stopped_) return;
    UssdDialogues::Actions actions;
    dialogues_.begin(event, now_(), actions);
    run(actions);
}

void UssdService::answer(UssdAnswer event) {
    if (stopped_) return;
    UssdDialogues::Actions actions;
    dialogues_.answer(event, now_(), actions);
    run(actions);
}

void UssdService::release(UssdRelease event) {
    UssdDialogues::Actions actions;
    dialogues_.release(event, now_(), actions);
    run(actions);
}

void UssdService::refuse(IngressKey key) {
    UssdDialogues::Actions actions;
    dialogues_.refuse(key, now_(), actions);
    run(actions);
}

void UssdService::shutdown() {
    if (stopped_) return;
    UssdDialogues::Actions actions;
    dialogues_.shutdown(now_(), actions);
    actions.performs.clear();
    stopped_ = true;
    timer_.cancel();
    run(actions);
}

void UssdService::run(UssdDialogues::Actions& actions) {
    for (auto& s : actions.screens) {
        auto sink = sinks_.find(s.key.ingress);
        if (sink == sinks_.end()) {
            log::warn("ussd.no_ingress", "ingress", s.key.ingress);
            continue;
        }
        // The sink may call back (release a dialogue it cannot answer): it gets a copy of
        // its function, so a registration changed meanwhile does not pull it away.
        ScreenSink fn = sink->second;
        fn(s);
    }
    for (auto& p : actions.performs) {
        bool issues_password = p.request.kind == menus::ActionKind::issue_password;
        perform_(p.request, lifetime_.guard([this, dialogue = p.dialogue, id = p.request.id,
                                             issues_password](menus::ActionResult result) {
            if (issues_password && result.outcome == menus::outcome::ok && on_password_issued_)
                on_password_issued_();
            UssdDialogues::Actions next;
            dialogues_.on_action_result(dialogue, id, result, now_(), next);
            run(next);
        }));
    }
    arm_timer();
}

void UssdService::arm_timer() {
    auto next = dialogues_.next_deadline();
    if (stopped_ || !next || (armed_for_ && *armed_for_ <= *next)) return;
    armed_for_ = next;
    timer_.expires_at(*next);
    timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
        if (ec) return;
        armed_for_.reset();
        tick();
    }));
}

void UssdService::tick() {
    if (stopped_) return;
    UssdDialogues::Actions actions;
    dialogues_.on_timer(now_(), actions);
    run(actions);
}

}  // namespace ussdgw::ussd
