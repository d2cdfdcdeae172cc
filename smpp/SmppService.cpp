#include "smpp/SmppService.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace ussdgw::smpp {

void SmppApplication::on_link_request(const PeerInfo&, const Pdu&, SmppReply reply) {
    reply.accept({});
}

void SmppApplication::on_server_request(const PeerInfo&, const Pdu&, SmppReply reply) {
    reply.reject(kNotServed);
}

void SmppApplication::on_link_state(const std::string&, bool) {}
void SmppApplication::on_server_bind(const PeerInfo&, BindType, bool) {}

SmppService::SmppService(asio::io_context& io, SmppConfig config, SmppApplication& app)
    : io_(io), config_(std::move(config)), app_(app) {
    for (const auto& lc : config_.clients) {
        SmppClientLink::Handlers h;
        h.on_request = [this](const PeerInfo& p, const Pdu& r, SmppReply reply) {
            app_.on_link_request(p, r, std::move(reply));
        };
        std::string name = lc.name;
        h.on_state = [this, name](bool bound) { app_.on_link_state(name, bound); };
        links_.push_back(std::make_unique<SmppClientLink>(io_, lc, std::move(h)));
    }
    if (config_.server.enabled) {
        SmppServer::Handlers h;
        h.on_request = [this](const PeerInfo& p, const Pdu& r, SmppReply reply) {
            app_.on_server_request(p, r, std::move(reply));
        };
        h.on_bind_change = [this](const PeerInfo& p, BindType t, bool bound) {
            app_.on_server_bind(p, t, bound);
        };
        server_ = std::make_unique<SmppServer>(io_, config_.server, std::move(h));
    }
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
