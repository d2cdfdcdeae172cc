#include "smpp/SmppLoadServer.hpp"

#include <fmt/format.h>

#include <boost/asio/write.hpp>
#include <cstring>
#include <stdexcept>

#include "smpp/detail/Bytes.hpp"

namespace ussdgw::smpp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using detail::get32;
using detail::put32;

struct SmppLoadServer::Link {
    explicit Link(tcp::socket s, std::size_t i) : socket(std::move(s)), index(i) {}
    tcp::socket socket;
    std::size_t index;
    bool bound = false, open = true, writing = false, close_after_write = false;
    std::vector<std::uint8_t> rbuf = std::vector<std::uint8_t>(64 * 1024);
    std::size_t rlen = 0;
    std::vector<std::uint8_t> pending, inflight;
    std::uint32_t next_seq = 1;
    std::unordered_map<std::uint32_t, std::uint64_t> unanswered;  // deliver_sm seq -> token
    std::deque<std::pair<std::vector<std::uint8_t>, std::uint64_t>> queue;  // frame, token
};

namespace {

// Appends a response of `command_id` for `seq` with `status` and `body` to `out`.
void append_response(std::vector<std::uint8_t>& out, std::uint32_t seq, std::uint32_t status,
                     PduBody body) {
    (void)encode(Pdu{status, seq, std::move(body)}, out);
}

}  // namespace

SmppLoadServer::SmppLoadServer(asio::io_context& io, LoadServerOptions options, Handler& handler)
    : options_(std::move(options)), handler_(handler), acceptor_(io) {}

SmppLoadServer::~SmppLoadServer() {
    close();
}

void SmppLoadServer::start() {
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address(options_.host, ec), options_.port);
    if (!ec) acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error(
            fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, ec.message()));
    port_ = acceptor_.local_endpoint().port();
    accept();
}

std::size_t SmppLoadServer::bound_links() const {
    std::size_t n = 0;
    for (const auto& l : links_)
        n += l->open && l->bound;
    return n;
}

void SmppLoadServer::accept() {
    acceptor_.async_accept(lifetime_.guard([this](boost::system::error_code ec, tcp::socket s) {
        if (ec == asio::error::operation_aborted || closed_) return;
        if (!ec) {
            s.set_option(tcp::no_delay(true), ec);
            links_.push_back(std::make_shared<Link>(std::move(s), links_.size()));
            read(*links_.back());
        }
        accept();
    }));
}

// Closing the acceptor and the sockets completes their pending operations with
// operation_aborted; those handlers return before touching the server or its links. A
// handler whose operation had already completed keeps its result, so every handler is also
// guarded by lifetime_: the server may be destroyed while they wait in an io_context that is
// run afterwards.
void SmppLoadServer::close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& l : links_) {
        l->open = false;
        l->socket.close(ignored);
    }
}

void SmppLoadServer::drop(Link& l) {
    if (!l.open) return;
    l.open = false;
    boost::system::error_code ignored;
    l.socket.close(ignored);
    if (l.bound) handler_.on_link_closed(l.index);
}

void SmppLoadServer::read(Link& l) {
    if (!l.open) return;
    if (l.rlen == l.rbuf.size()) l.rbuf.resize(l.rbuf.size() * 2);
    l.socket.async_read_some(asio::buffer(l.rbuf.data() + l.rlen, l.rbuf.size() - l.rlen),
                             lifetime_.guard([this, &l, keep = links_[l.index]](
                                                 boost::system::error_code ec, std::size_t n) {
                                 (void)keep;  // the link outlives this read (links_)
                                 if (ec == asio::error::operation_aborted) return;
                                 if (ec || closed_) return drop(l);
                                 l.rlen += n;
                                 on_bytes(l);
                                 write(l);
                                 read(l);
                             }));
}

void SmppLoadServer::write(Link& l) {
    if (l.writing || l.pending.empty() || !l.open) return;
    l.writing = true;
    l.inflight.swap(l.pending);
    asio::async_write(l.socket, asio::buffer(l.inflight),
                      lifetime_.guard([this, &l, keep = links_[l.index]](
                                          boost::system::error_code ec, std::size_t) {
                          (void)keep;  // the link outlives this write (links_)
                          if (ec == asio::error::operation_aborted) return;
                          l.writing = false;
                          l.inflight.clear();
                          if (ec || closed_) return drop(l);
                          if (l.close_after_write && l.pending.empty()) return drop(l);
                          write(l);
                      }));
}

void SmppLoadServer::on_bytes(Link& l) {
    const auto now = std::chrono::steady_clock::now();
    std::size_t at = 0;
    while (l.open) {
        const auto fl = frame_length({l.rbuf.data() + at, l.rlen - at});
        if (fl.kind == FrameLength::Kind::need_more) break;
        if (fl.kind == FrameLength::Kind::unframeable) {
            handler_.on_bad_frame(l.index, DecodeError{});
            return drop(l);
        }
        on_frame(l, {l.rbuf.data() + at, fl.length}, now);
        at += fl.length;
    }
    if (at > 0) {
        std::memmove(l.rbuf.data(), l.rbuf.data() + at, l.rlen - at);
        l.rlen -= at;
    }
    send_queued(l);
}

void SmppLoadServer::on_frame(Link& l, std::span<const std::uint8_t> frame, TimePoint now) {
    const std::uint32_t cmd = get32(&frame[4]), st = get32(&frame[8]), seq = get32(&frame[12]);
    if (is_response(cmd)) {  // read by the header: deliver_sm_resp, enquire_link_resp, ...
        if (cmd == static_cast<std::uint32_t>(CommandId::deliver_sm_resp) ||
            cmd == static_cast<std::uint32_t>(CommandId::generic_nack)) {
            auto it = l.unanswered.find(seq);
            if (it == l.unanswered.end()) return;
            const std::uint64_t token = it->second;
            l.unanswered.erase(it);
            handler_.on_deliver_resp(l.index, token, st, now);
        }
        return;
    }
    auto pdu = decode(frame);
    if (!pdu) {
        const DecodeError& e = pdu.error();
        handler_.on_bad_frame(l.index, e);
        const std::uint32_t id = e.answer_with_generic_nack
                                     ? static_cast<std::uint32_t>(CommandId::generic_nack)
                                     : (e.command_id | 0x80000000u);
        const std::size_t at = l.pending.size();
        l.pending.resize(at + kHeaderLength);
        put32(&l.pending[at], kHeaderLength);
        put32(&l.pending[at + 4], id);
        put32(&l.pending[at + 8], e.status);
        put32(&l.pending[at + 12], e.sequence_number);
        return;
    }
    if (const auto* bind = std::get_if<BindRequest>(&pdu->body)) {
        const bool ok =
            !l.bound && (options_.password.empty() || bind->password == options_.password);
        append_response(l.pending, seq, ok ? status::ok : status::bindfail,
                        BindResponse{bind->type, "loadsrv", std::nullopt});
        if (!ok) {
            l.close_after_write = true;
            return;
        }
        l.bound = true;
        handler_.on_bound(l.index, *bind);
    } else if (const auto* sm = std::get_if<SubmitSm>(&pdu->body)) {
        const std::uint32_t answer = handler_.on_submit(l.index, *sm, now);
        append_response(l.pending, seq, answer,
                        SubmitSmResp{answer == status::ok ? fmt::format("L{}", ++message_ids_)
                                                          : std::string()});
    } else if (std::holds_alternative<EnquireLink>(pdu->body)) {
        append_response(l.pending, seq, status::ok, EnquireLinkResp{});
    } else if (std::holds_alternative<Unbind>(pdu->body)) {
        append_response(l.pending, seq, status::ok, UnbindResp{});
        l.close_after_write = true;
    } else if (std::holds_alternative<DeliverSm>(pdu->body)) {
        append_response(l.pending, seq, status::ok, DeliverSmResp{});
    } else if (std::holds_alternative<DataSm>(pdu->body)) {
        append_response(l.pending, seq, status::ok, DataSmResp{});
    } else {
        append_response(l.pending, seq, status::invcmdid, GenericNack{});
    }
}

bool SmppLoadServer::send(std::size_t link, const DeliverSm& sm, std::uint64_t token) {
    if (link >= links_.size()) return false;
    Link& l = *links_[link];
    if (!l.open || !l.bound) return false;
    std::vector<std::uint8_t> frame;
    if (!encode(Pdu{status::ok, 0, sm}, frame)) return false;
    l.queue.emplace_back(std::move(frame), token);
    send_queued(l);
    write(l);
    return true;
}

void SmppLoadServer::send_queued(Link& l) {
    while (!l.queue.empty() && l.unanswered.size() < options_.window) {
        auto& [frame, token] = l.queue.front();
        const std::uint32_t seq = l.next_seq++;
        if (l.next_seq > 0x7FFFFFFF) l.next_seq = 1;
        put32(&frame[12], seq);
        l.pending.insert(l.pending.end(), frame.begin(), frame.end());
        l.unanswered.emplace(seq, token);
        l.queue.pop_front();
    }
}

}  // namespace ussdgw::smpp
