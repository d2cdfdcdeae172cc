#include "smpp/SmppService.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace ussdgw::smpp {

SmppService::SmppService(asio::io_context& io, SmppConfig config, SmppApplication& app)
    : io_(io), config_(std::move(config)) {
    for (const auto& lc : config_.clients)
        links_.push_back(SmppClientLink::create(io_, lc, app));
    if (config_.server.enabled) server_ = SmppServer::create(io_, config_.server, app);
}

SmppService::~SmppService() = default;

void SmppService::start() {
    if (server_) server_->start();
    for (auto& l : links_)
        l->start();
}

void SmppService::stop(std::function<void()> done) {
    auto left = std::make_shared<std::size_t>(links_.size() + (server_ ? 1 : 0));
    auto finish = std::make_shared<std::function<void()>>(std::move(done));
    auto one_done = [left, finish] {
        if (--*left == 0 && *finish) (*finish)();
    };
    if (*left == 0) {
        asio::post(io_, [finish] {
            if (*finish) (*finish)();
        });
        return;
    }
    for (auto& l : links_)
        l->stop(one_done);
    if (server_) server_->stop(one_done);
}

SmppClientLink* SmppService::link(std::string_view name) {
    for (auto& l : links_)
        if (l->name() == name) return l.get();
    return nullptr;
}

SmppClientLink* SmppService::link_for_role(std::string_view role) {
    SmppClientLink* fallback = nullptr;
    for (auto& l : links_) {
        const auto& roles = l->config().roles;
        if (std::find(roles.begin(), roles.end(), role) == roles.end()) continue;
        if (l->bound()) return l.get();
        if (!fallback) fallback = l.get();
    }
    return fallback;
}

}  // namespace ussdgw::smpp
