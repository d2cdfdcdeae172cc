#include "engine/LinkLoop.hpp"

#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>

#include "engine/base/Log.hpp"
#include "engine/base/ThreadName.hpp"

namespace ussdgw {

namespace asio = boost::asio;

LinkLoop::LinkLoop(std::string name, std::vector<smpp::ClientLinkConfig> links,
                   storage::Storage& storage, UssdStack::Wiring wiring, ToMain to_main)
    : name_(std::move(name)),
      storage_(storage),
      wiring_(std::move(wiring)),
      to_main_(std::move(to_main)),
      io_(std::make_shared<asio::io_context>(1)) {
    for (const auto& l : links)
        bound_.emplace(l.name, false);
    links_.clients = std::move(links);  // the listener stays on the main loop
}

LinkLoop::~LinkLoop() {
    if (thread_.joinable()) {
        io_->stop();
        thread_.join();
    }
    // Handlers still queued are never run; they are destroyed with the io_context, which the
    // storage's Posts for this loop keep until the storage closes.
    stack_.reset();
    smpp_.reset();
}

void LinkLoop::start() {
    // Completions of this loop's cabinet are posted here; the Post keeps the io_context.
    auto post = [io = io_](std::function<void()> fn) { asio::post(*io, std::move(fn)); };
    auto cabinet = storage_.cabinet_for_loop(post);
    if (!cabinet)
        throw std::runtime_error("link loop " + name_ + ": storage: " + cabinet.error().message);
    smpp_ = std::make_unique<smpp::SmppService>(*io_, links_, *this);
    UssdStack::Wiring wiring = wiring_;
    wiring.password_issued = [this] { to_main_(wiring_.password_issued); };
    stack_ = std::make_unique<UssdStack>(*io_, *smpp_, (*cabinet)->cabinet(), std::move(wiring));
    stack_->add_smpp_ingresses();
    smpp_->start();
    work_.emplace(io_->get_executor());
    thread_ = std::thread([this] {
        name_this_thread("ussdgw-" + name_);
        log::info("engine.loop_started", "loop", name_, "links", links_.clients.size());
        io_->run();
    });
}

void LinkLoop::stop(std::function<void()> done) {
    if (!thread_.joinable()) {  // never started: nothing to close
        to_main_(std::move(done));
        return;
    }
    asio::post(*io_, [this, done = std::move(done)]() mutable {
        stack_->shutdown();  // final screens go out before the links unbind
        smpp_->stop([this, done = std::move(done)] { to_main_(done); });
    });
}

bool LinkLoop::bound(const std::string& link) const {
    std::lock_guard lock(bound_mutex_);
    auto it = bound_.find(link);
    return it != bound_.end() && it->second;
}

LinkLoop::Stats LinkLoop::stats() {
    if (!thread_.joinable()) return stack_ ? collect() : Stats{};
    auto copied = std::make_shared<std::promise<Stats>>();
    auto future = copied->get_future();
    asio::post(*io_, [this, copied] { copied->set_value(collect()); });
    if (future.wait_for(std::chrono::seconds(1)) != std::future_status::ready) {
        log::warn("engine.loop_stats_late", "loop", name_);
        return {};
    }
    return future.get();
}

LinkLoop::Stats LinkLoop::collect() const {
    Stats s;
    s.ussd = stack_->stats();
    for (const auto& link : smpp_->links())
        s.links.push_back({link->name(), link->bound(), link->pdu_tally()});
    return s;
}

void LinkLoop::on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                               smpp::SmppReply reply) {
    // No receipts here: these links carry no SMS of ours.
    stack_->on_link_request(peer, request, std::move(reply));
}

void LinkLoop::on_link_state(const std::string& link, bool bound) {
    log::info(bound ? "engine.link_up" : "engine.link_down", "link", link, "loop", name_);
    std::lock_guard lock(bound_mutex_);
    bound_[link] = bound;
}

}  // namespace ussdgw
