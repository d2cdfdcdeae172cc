#include "smpp/SmppServer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "engine/base/Log.hpp"

namespace ussdgw::smpp {

namespace {
constexpr auto kStopGrace = std::chrono::milliseconds(500);

bool same_secret(std::string_view a, std::string_view b) {
    unsigned diff = static_cast<unsigned>(a.size() ^ b.size());
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
        unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned>(x ^ y);
    }
    return diff == 0;
}

std::string ip_of(const std::string& label) {
    auto colon = label.rfind(':');
    return colon == std::string::npos ? label : label.substr(0, colon);
}
}  // namespace

std::shared_ptr<SmppServer> SmppServer::create(asio::io_context& io, ServerConfig config,
                                               SmppApplication& app) {
    return std::shared_ptr<SmppServer>(new SmppServer(io, std::move(config), app));
}

SmppServer::SmppServer(asio::io_context& io, ServerConfig config, SmppApplication& app)
    : io_(io),
      config_(std::move(config)),
      app_(app),
      acceptor_(io),
      stop_timer_(io),
      accept_retry_(io),
      guard_([this] {
          BindGuardConfig g = config_.bind_guard;
          g.max_delay = std::min(g.max_delay, config_.timers.bind_timeout);
          return g;
      }()) {}

SmppServer::~SmppServer() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    auto conns = connections_;
    for (auto& [id, e] : conns)
        e.conn->abort();
    connections_.clear();
}

void SmppServer::start() {
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(config_.host, ec);
    if (ec) throw std::runtime_error("smpp server: bad listen address " + config_.host);
    asio::ip::tcp::endpoint ep(addr, config_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("smpp server: cannot listen on " + config_.host + ":" +
                                 std::to_string(config_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    log::info("smpp.listening", "host", config_.host, "port", port_, "accounts",
              config_.accounts.size());
    do_accept();
}

void SmppServer::do_accept() {
    acceptor_.async_accept(
        [weak = weak_from_this()](const boost::system::error_code& ec, asio::ip::tcp::socket sock) {
            auto self = weak.lock();
            if (!self || !self->acceptor_.is_open()) return;
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
                // EMFILE and friends: keep serving the existing sessions, retry a bit later.
                log::limited(log::Level::warn, "smpp.accept_failed", "error", ec.message());
                self->accept_retry_.expires_after(std::chrono::milliseconds(100));
                self->accept_retry_.async_wait([weak](const boost::system::error_code& e) {
                    auto self = weak.lock();
                    if (!e && self && self->acceptor_.is_open()) self->do_accept();
                });
                return;
            }
            self->admit(std::move(sock));
            self->do_accept();
        });
}

void SmppServer::admit(asio::ip::tcp::socket sock) {
    std::string label = remote_label(sock);
    std::string ip = ip_of(label);
    auto refuse = [&](const char* why) {
        ++stats_.refused_connections;
        log::limited(log::Level::warn, "smpp.connection_refused", "peer", label, "reason", why);
        boost::system::error_code ignored;
        sock.close(ignored);
    };
    if (stopping_) return refuse("stopping");
    // Room among the connections not bound yet: the oldest one makes way.
    auto own = unbound_by_ip_.find(ip);
    if (own != unbound_by_ip_.end() && own->second.size() >= config_.max_unbound_per_address)
        evict(*own->second.begin(), "max_unbound_per_address");
    else if (!unbound_.empty() && unbound_.size() >= config_.max_unbound)
        evict(*unbound_.begin(), "max_unbound");
    if (connections_.size() >= config_.max_connections) {
        if (unbound_.empty()) return refuse("max_connections");  // every slot is bound
        evict(*unbound_.begin(), "max_connections");
    }
    ++stats_.accepted;
    SessionConfig sc;
    sc.role = Role::smsc;
    sc.timers = config_.timers;
    sc.window = config_.window;
    sc.receive_window = config_.receive_window;
    sc.system_id = config_.system_id;
    sc.tally = tally_;
    sc.authenticate = [weak = weak_from_this(), ip](const BindRequest& r, TimePoint now) {
        auto self = weak.lock();
        return self ? self->authenticate(r, ip, now) : BindVerdict{status::bindfail};
    };
    std::uint64_t id = next_id_++;
    auto conn = SmppConnection::create(std::move(sock), std::move(sc), weak_from_this(), id);
    connections_.emplace(id, Entry{conn, ip});
    unbound_.insert(id);
    unbound_by_ip_[ip].insert(id);
    log::debug("smpp.accepted", "peer", label, "connection", id);
    conn->start();
}

void SmppServer::evict(std::uint64_t id, const char* why) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ++stats_.evicted;
    log::limited(log::Level::warn, "smpp.connection_evicted", "peer",
                 it->second.conn->peer().address, "reason", why);
    auto conn = it->second.conn;
    forget(id);
    conn->abort();
}

void SmppServer::leave_unbound(std::uint64_t id, const std::string& ip) {
    unbound_.erase(id);
    auto by_ip = unbound_by_ip_.find(ip);
    if (by_ip == unbound_by_ip_.end()) return;
    by_ip->second.erase(id);
    if (by_ip->second.empty()) unbound_by_ip_.erase(by_ip);
}

void SmppServer::forget(std::uint64_t id) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    leave_unbound(id, it->second.ip);
    connections_.erase(it);
}

void SmppServer::on_request(SmppConnection& c, const Pdu& request, SmppReply reply) {
    const PeerInfo& peer = c.peer();
    const char* role = required_role(request);
    auto a = std::find_if(config_.accounts.begin(), config_.accounts.end(),
                          [&](const AccountConfig& x) { return x.system_id == peer.link; });
    if (a != config_.accounts.end() &&
        (std::find(a->roles.begin(), a->roles.end(), role) != a->roles.end() ||
         (a->outgoing_sms && carries_receipt(request))))
        return app_.on_server_request(peer, request, std::move(reply));
    log::limited(log::Level::warn, "smpp.request_refused", "account", peer.link, "peer",
                 peer.address, "command", command_name(request.command_id()), "needs", role,
                 "reason", "role_missing");
    reply.reject(kNotServed);
}

BindVerdict SmppServer::authenticate(const BindRequest& req, const std::string& peer_ip,
                                     TimePoint now) {
    auto it = std::find_if(config_.accounts.begin(), config_.accounts.end(),
                           [&](const AccountConfig& a) { return a.system_id == req.system_id; });
    const AccountConfig* a = it == config_.accounts.end() ? nullptr : &*it;
    const std::string_view account = a ? std::string_view(a->system_id) : std::string_view();
    BindGuard::Decision guard = guard_.check(peer_ip, account, now);
    BindVerdict v;
    v.delay = guard.delay;
    const char* why = nullptr;
    if (stopping_) {
        why = "stopping";
    } else if (guard.locked) {
        why = "locked_out";  // the password is not even looked at
    } else if (!a) {
        why = "unknown_system_id";
        guard_.failed(peer_ip, account, now);
    } else if (!same_secret(req.password, a->password.reveal())) {
        why = "wrong_password";
        guard_.failed(peer_ip, account, now);
    } else if (!a->allowed_addresses.empty() &&
               std::find(a->allowed_addresses.begin(), a->allowed_addresses.end(), peer_ip) ==
                   a->allowed_addresses.end()) {
        why = "address_not_allowed";
    } else if (!a->bind_types.empty() && std::find(a->bind_types.begin(), a->bind_types.end(),
                                                   req.type) == a->bind_types.end()) {
        why = "bind_type_not_allowed";
    } else if (auto b = binds_per_account_.find(a->system_id);
               b != binds_per_account_.end() && b->second >= a->max_binds) {
        why = "max_binds";
    }
    if (why) {
        // One status for every refusal: the answer does not tell which part was wrong.
        log::limited(log::Level::warn, "smpp.bind_refused", "system_id", req.system_id, "peer",
                     peer_ip, "bind", bind_type_name(req.type), "reason", why, "delay_ms",
                     v.delay.count());
        v.status = status::bindfail;
        return v;
    }
    guard_.succeeded(peer_ip, account);
    v.status = status::ok;
    v.receive_throughput = a->throughput;
    return v;
}

void SmppServer::on_session_event(SmppConnection& c, const SessionEvent& e) {
    switch (e.kind) {
        case EventKind::bound: {
            const auto& req = c.bind_request();
            c.peer().link = req.system_id;
            if (auto it = connections_.find(c.id()); it != connections_.end())
                leave_unbound(it->first, it->second.ip);
            ++binds_per_account_[req.system_id];
            ++stats_.binds;
            log::info("smpp.bound", "account", req.system_id, "peer", c.peer().address, "bind",
                      bind_type_name(req.type), "interface_version",
                      fmt::format("{:#04x}", req.interface_version));  // 0x34, as SMPP writes it
            app_.on_server_bind(c.peer(), req.type, true);
            return;
        }
        case EventKind::bind_failed:
            ++stats_.bind_failures;
            return;
        case EventKind::closed: {
            bool was_bound = !c.peer().link.empty();
            if (was_bound) {
                auto it = binds_per_account_.find(c.peer().link);
                if (it != binds_per_account_.end() && it->second > 0 && --it->second == 0)
                    binds_per_account_.erase(it);
                app_.on_server_bind(c.peer(), c.bind_request().type, false);
            }
            // Connections that never bound may come in floods: their lines are rate-limited.
            log::event(was_bound ? log::Level::info : log::Level::debug, "smpp.closed", "account",
                       c.peer().link, "peer", c.peer().address, "reason",
                       close_reason_name(e.reason), "detail", e.detail);
            if (!was_bound)
                log::limited(log::Level::info, "smpp.closed_unbound", "peer", c.peer().address,
                             "reason", close_reason_name(e.reason));
            return;
        }
        default:
            return;
    }
}

void SmppServer::on_finished(SmppConnection& c) {
    forget(c.id());
    check_stopped();
}

void SmppServer::check_stopped() {
    if (!stopping_ || !connections_.empty() || !stop_done_) return;
    stop_timer_.cancel();
    log::flush_limited();
    auto done = std::move(stop_done_);
    stop_done_ = nullptr;
    done();
}

void SmppServer::stop(std::function<void()> done) {
    boost::system::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
    stopping_ = true;
    stop_done_ = std::move(done);
    auto conns = connections_;
    for (auto& [id, e] : conns)
        e.conn->unbind();
    if (connections_.empty()) {
        asio::post(io_, [weak = weak_from_this()] {
            if (auto self = weak.lock()) self->check_stopped();
        });
        return;
    }
    stop_timer_.expires_after(config_.timers.unbind_timeout + kStopGrace);
    stop_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        auto left = self->connections_;
        for (auto& [id, e] : left)
            e.conn->abort();
    });
}

namespace {
bool can_receive(const SmppConnection& c) {
    auto st = c.state();
    return st == SessionState::bound_rx || st == SessionState::bound_trx;
}
}  // namespace

SendResult SmppServer::send_to(const std::string& system_id, PduBody body,
                               ResponseCallback callback, std::uint64_t prefer) {
    if (auto it = connections_.find(prefer); prefer != 0 && it != connections_.end() &&
                                             it->second.conn->peer().link == system_id &&
                                             can_receive(*it->second.conn))
        return it->second.conn->send(std::move(body), std::move(callback));
    std::vector<SmppConnection*> candidates;  // in id order (connections_ is ordered)
    for (auto& [id, e] : connections_)
        if (e.conn->peer().link == system_id && can_receive(*e.conn))
            candidates.push_back(e.conn.get());
    if (candidates.empty()) return SendResult{SendError::not_bound, 0};
    SmppConnection* c = candidates[round_robin_++ % candidates.size()];
    return c->send(std::move(body), std::move(callback));
}

std::size_t SmppServer::receivers(const std::string& system_id) const {
    std::size_t n = 0;
    for (const auto& [id, e] : connections_)
        if (e.conn->peer().link == system_id && can_receive(*e.conn)) ++n;
    return n;
}

std::size_t SmppServer::bound_count(const std::string& system_id) const {
    auto it = binds_per_account_.find(system_id);
    return it == binds_per_account_.end() ? 0 : it->second;
}

}  // namespace ussdgw::smpp
