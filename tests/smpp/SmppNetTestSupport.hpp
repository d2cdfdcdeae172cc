// Helpers for SMPP tests over real TCP on 127.0.0.1: a blocking raw client (POSIX socket
// with receive timeouts, so every wait is bounded), a raw listener, test applications, and
// an SmppServer running on its own io_context thread.
#pragma once

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "SamplePdus.hpp"
#include "SmppTestSupport.hpp"
#include "smpp/MessageId.hpp"
#include "smpp/PduCodec.hpp"
#include "smpp/SmppServer.hpp"

namespace ussdgw::smpp::test {

// Runs `io` on the calling thread until `pred` holds (false after `limit`).
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred pred,
               std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (io.stopped()) io.restart();
        io.run_for(std::chrono::milliseconds(5));
    }
    return true;
}

// A blocking SMPP peer; every read waits at most `timeout`.
class RawClient {
  public:
    // Connects from 127.0.0.1, or from another loopback address (`source`, e.g. 0x7F000002
    // for 127.0.0.2) to play a second peer address.
    explicit RawClient(std::uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                       std::uint32_t source = INADDR_LOOPBACK)
        : timeout_(timeout) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        if (source != INADDR_LOOPBACK) {
            sockaddr_in from{};
            from.sin_family = AF_INET;
            from.sin_addr.s_addr = htonl(source);
            REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
        }
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    // Adopts a connected socket (see RawListener::accept).
    RawClient(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~RawClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool send(const std::vector<std::uint8_t>& bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    bool send(const Pdu& p) {
        auto b = encode(p);
        REQUIRE(b.ok());
        return send(b.value());
    }

    // Reads exactly n bytes; false on EOF, error or timeout.
    bool read_exact(std::uint8_t* out, std::size_t n) {
        std::size_t off = 0;
        auto deadline = std::chrono::steady_clock::now() + timeout_;
        while (off < n) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
            auto r = ::recv(fd_, out + off, n - off, 0);
            if (r <= 0) return false;
            off += static_cast<std::size_t>(r);
        }
        return true;
    }

    // The next PDU; nullopt on EOF/timeout. Frames that do not decode fail the test.
    std::optional<Pdu> read_pdu() {
        std::uint8_t h[16];
        if (!read_exact(h, 16)) return std::nullopt;
        std::uint32_t len = (std::uint32_t(h[0]) << 24) | (std::uint32_t(h[1]) << 16) |
                            (std::uint32_t(h[2]) << 8) | h[3];
        REQUIRE(len >= 16);
        REQUIRE(len < 100000);
        std::vector<std::uint8_t> f(h, h + 16);
        f.resize(len);
        if (len > 16 && !read_exact(f.data() + 16, len - 16)) return std::nullopt;
        auto p = decode(f);
        REQUIRE(p.ok());
        return p.value();
    }

    // True when the server closed the connection within the timeout (EOF or reset),
    // skipping whatever PDUs it sent first.
    bool closed_by_peer() {
        std::uint8_t buf[4096];
        auto deadline = std::chrono::steady_clock::now() + timeout_;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
            auto r = ::recv(fd_, buf, sizeof buf, 0);
            if (r <= 0) return true;
        }
    }

    Pdu bind(const std::string& system_id, const std::string& password,
             BindType type = BindType::transceiver, std::uint8_t version = 0x34) {
        BindRequest b;
        b.type = type;
        b.system_id = system_id;
        b.password = password;
        b.interface_version = version;
        REQUIRE(send(Pdu{status::ok, 1, b}));
        auto r = read_pdu();
        REQUIRE(r.has_value());
        return *r;
    }

    int fd() const { return fd_; }

  private:
    int fd_ = -1;
    std::chrono::milliseconds timeout_;
};

// A listening socket on an ephemeral 127.0.0.1 port, for tests that play the SMSC with raw
// bytes against our client link.
class RawListener {
  public:
    RawListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(fd_, 8) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port_ = ntohs(a.sin_port);
    }
    ~RawListener() { ::close(fd_); }
    RawListener(const RawListener&) = delete;
    RawListener& operator=(const RawListener&) = delete;

    std::uint16_t port() const { return port_; }
    // The next connection, waiting at most `timeout` (nullptr when none came).
    std::unique_ptr<RawClient> accept(
        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return nullptr;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return nullptr;
        return std::make_unique<RawClient>(c, timeout);
    }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

inline ServerConfig test_server_config() {
    ServerConfig c;
    c.enabled = true;
    c.host = "127.0.0.1";
    c.port = 0;
    c.max_connections = 50;
    c.window = 100;
    c.timers.bind_timeout = std::chrono::milliseconds(500);
    c.timers.inactivity_timeout = std::chrono::milliseconds(3000);
    c.timers.enquire_link_interval = std::chrono::milliseconds(0);
    c.timers.unbind_timeout = std::chrono::milliseconds(500);
    AccountConfig a;
    a.system_id = "esme";
    a.password = Secret("secret");
    a.roles = {"sms", "ussd"};
    c.accounts.push_back(std::move(a));
    return c;
}

// A client link to a loopback server at `port`: it reconnects fast and sends no enquire_link
// (a test's run is short); the rest is ClientLinkConfig's defaults.
inline ClientLinkConfig test_link_config(std::string name, std::uint16_t port,
                                         std::string system_id = "esme",
                                         std::string password = "secret") {
    ClientLinkConfig c;
    c.name = std::move(name);
    c.port = port;
    c.system_id = std::move(system_id);
    c.password = Secret(std::move(password));
    c.reconnect_min = std::chrono::milliseconds(20);
    c.reconnect_max = std::chrono::milliseconds(100);
    c.timers.enquire_link_interval = std::chrono::milliseconds(0);
    c.timers.unbind_timeout = std::chrono::milliseconds(500);
    return c;
}

// An application for tests: each hook is a lambda; an unset one keeps SmppApplication's
// default, except server requests, which are accepted with a fresh message id (the
// default refuses them: kNotServed).
struct TestApp : SmppApplication {
    using RequestHook = std::function<void(const PeerInfo&, const Pdu&, SmppReply)>;
    RequestHook link_request;
    std::function<void(const std::string& link, bool bound)> link_state;
    RequestHook server_request;
    bool refuse_server_requests = false;  // the default application's answer
    MessageIdGenerator ids;

    void on_link_request(const PeerInfo& p, const Pdu& r, SmppReply reply) override {
        if (link_request) return link_request(p, r, std::move(reply));
        SmppApplication::on_link_request(p, r, std::move(reply));
    }
    void on_link_state(const std::string& link, bool bound) override {
        if (link_state) link_state(link, bound);
    }
    void on_server_request(const PeerInfo& p, const Pdu& r, SmppReply reply) override {
        if (server_request) return server_request(p, r, std::move(reply));
        if (refuse_server_requests) return SmppApplication::on_server_request(p, r, reply);
        reply.accept(ids.next());
    }
};

// An SmppServer on an ephemeral port, run by its own thread until the fixture ends. The
// application (by default a TestApp accepting everything) must outlive the fixture.
class ServerThread {
  public:
    explicit ServerThread(ServerConfig config = test_server_config(),
                          SmppApplication* app = nullptr)
        : server_(SmppServer::create(io_, std::move(config), app ? *app : default_app_)) {
        server_->start();
        port_ = server_->port();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ServerThread() { stop(); }

    std::uint16_t port() const { return port_; }

    // Runs `f` on the server's thread and returns its result.
    template <typename F>
    auto on_io(F f) -> decltype(f(std::declval<SmppServer&>())) {
        using R = decltype(f(std::declval<SmppServer&>()));
        std::promise<R> p;
        auto fut = p.get_future();
        boost::asio::post(io_, [&] {
            if constexpr (std::is_void_v<R>) {
                f(*server_);
                p.set_value();
            } else {
                p.set_value(f(*server_));
            }
        });
        REQUIRE(fut.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
        return fut.get();
    }

    // Stops the server (clean unbind) and waits for the thread; true if `done` ran.
    bool stop() {
        if (!thread_.joinable()) return stopped_;
        boost::asio::post(io_, [this] { server_->stop([this] { stopped_ = true; }); });
        thread_.join();
        server_.reset();
        return stopped_;
    }

  private:
    TestApp default_app_;
    boost::asio::io_context io_;
    std::shared_ptr<SmppServer> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
    bool stopped_ = false;
};

// A well-behaved client binds, submits, gets an answer and unbinds.
inline void check_normal_client(std::uint16_t port) {
    RawClient c(port);
    auto b = c.bind("esme", "secret");
    REQUIRE(b.command_status == status::ok);
    REQUIRE(c.send(Pdu{status::ok, 2, test_submit()}));
    auto r = c.read_pdu();
    REQUIRE(r.has_value());
    CHECK(r->command_status == status::ok);
    CHECK(r->sequence_number == 2);
    REQUIRE(std::holds_alternative<SubmitSmResp>(r->body));
    CHECK_FALSE(std::get<SubmitSmResp>(r->body).message_id.empty());
    REQUIRE(c.send(Pdu{status::ok, 3, Unbind{}}));
    auto u = c.read_pdu();
    REQUIRE(u.has_value());
    CHECK(std::holds_alternative<UnbindResp>(u->body));
    CHECK(c.closed_by_peer());
}

}  // namespace ussdgw::smpp::test
