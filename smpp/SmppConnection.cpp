#include "smpp/SmppConnection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "engine/base/Log.hpp"

namespace ussdgw::smpp {

namespace {
constexpr auto kCloseFlushTimeout = std::chrono::seconds(2);
}  // namespace

std::string RequestOutcome::message_id() const {
    if (kind != Kind::response) return {};
    if (auto* r = std::get_if<SubmitSmResp>(&response.body)) return r->message_id;
    if (auto* r = std::get_if<DeliverSmResp>(&response.body)) return r->message_id;
    if (auto* r = std::get_if<DataSmResp>(&response.body)) return r->message_id;
    return {};
}

std::string remote_label(const asio::ip::tcp::socket& s) {
    boost::system::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "?";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

// ---- SmppReply ----

SmppReply::SmppReply(std::weak_ptr<SmppConnection> conn, std::uint32_t command_id,
                     std::uint32_t seq)
    : conn_(std::move(conn)), command_id_(command_id), seq_(seq) {}

void SmppReply::accept(std::string message_id) const {
    send(make_response(command_id_, seq_, status::ok, std::move(message_id)));
}

void SmppReply::reject(std::uint32_t st) const {
    send(make_response(command_id_, seq_, st));
}

void SmppReply::send(Pdu response) const {
    auto c = conn_.lock();
    if (!c) return;
    response.sequence_number = seq_;
    c->respond(response);
}

// ---- SmppConnection ----

std::shared_ptr<SmppConnection> SmppConnection::create(asio::ip::tcp::socket socket,
                                                       SessionConfig config,
                                                       std::weak_ptr<Owner> owner,
                                                       std::uint64_t id) {
    return std::shared_ptr<SmppConnection>(
        new SmppConnection(std::move(socket), std::move(config), std::move(owner), id));
}

SmppConnection::SmppConnection(asio::ip::tcp::socket socket, SessionConfig config,
                               std::weak_ptr<Owner> owner, std::uint64_t id)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      session_(std::move(config), Clock::now()),
      owner_(std::move(owner)) {
    peer_.connection_id = id;
    peer_.address = remote_label(socket_);
    boost::system::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

SmppConnection::~SmppConnection() = default;

void SmppConnection::start() {
    kick();
}

SendResult SmppConnection::bind(BindRequest request) {
    SendResult r = session_.bind(std::move(request), Clock::now());
    if (r.ok()) kick();
    return r;
}

SendError SmppConnection::can_send() const {
    return session_.can_send(Clock::now());
}

TimePoint SmppConnection::next_send_time() const {
    return session_.next_send_time(Clock::now());
}

void SmppConnection::respond(const Pdu& response) {
    if (finished_ || session_.closed()) return;
    session_.respond(response);
    kick();
}

SendResult SmppConnection::send(PduBody body, ResponseCallback&& callback) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(callbacks_.size());
        callbacks_.emplace_back();
    }
    SendResult r = session_.send_request(std::move(body), Clock::now(), slot);
    if (!r.ok()) {
        free_slots_.push_back(slot);
        return r;
    }
    callbacks_[slot] = std::move(callback);
    kick();
    return r;
}

void SmppConnection::unbind() {
    session_.unbind(Clock::now());
    kick();
}

void SmppConnection::abort() {
    if (finished_) return;
    session_.close(CloseReason::local, "aborted");
    std::vector<std::uint8_t> drop;
    session_.take_output(drop);
    kick();
}

void SmppConnection::wake_at(TimePoint t) {
    if (!wake_ || t < *wake_) wake_ = t;
    arm_timer();
}

void SmppConnection::dispatch(SessionEvent& e) {
    switch (e.kind) {
        case EventKind::request: {
            SmppReply reply(weak_from_this(), e.pdu.command_id(), e.sequence_number);
            if (auto owner = owner_.lock())
                owner->on_request(*this, e.pdu, std::move(reply));
            else
                reply.reject(status::syserr);  // the owner is being torn down
            return;
        }
        case EventKind::response:
        case EventKind::response_timeout:
        case EventKind::late_expired: {
            auto slot = static_cast<std::uint32_t>(e.context);
            if (slot >= callbacks_.size()) return;
            // A timeout with a late window keeps the slot (and the callback) for the late
            // response; the response or late_expired frees it.
            const bool keep =
                e.kind == EventKind::response_timeout && e.reason == CloseReason::none;
            ResponseCallback cb = keep ? callbacks_[slot] : std::move(callbacks_[slot]);
            if (!keep) {
                callbacks_[slot] = nullptr;
                free_slots_.push_back(slot);
            }
            if (!cb || e.kind == EventKind::late_expired) return;
            RequestOutcome out;
            if (e.kind == EventKind::response) {
                out.kind = RequestOutcome::Kind::response;
                out.status = e.status;
                out.response = std::move(e.pdu);
                out.late = e.late;
            } else {
                out.kind = RequestOutcome::Kind::timeout;
                out.close_reason = e.reason;
                if (keep) out.late_until = e.late_until;
            }
            cb(out);
            return;
        }
        default:
            if (auto owner = owner_.lock()) owner->on_session_event(*this, e);
            return;
    }
}

void SmppConnection::kick() {
    if (finished_) return;
    if (in_kick_) {
        again_ = true;
        return;
    }
    in_kick_ = true;
    auto self = shared_from_this();  // the owner may drop its reference meanwhile
    do {
        again_ = false;
        bool had_events = false;
        for (;;) {
            while (session_.has_events()) {
                had_events = true;
                session_.take_events(events_);
                for (auto& e : events_)
                    dispatch(e);
            }
            // The requests were handed over (and maybe answered): go on with the input.
            session_.process(Clock::now());
            if (!session_.has_events()) break;
        }
        if (had_events && !session_.closed())
            if (auto owner = owner_.lock()) owner->on_ready(*this);
    } while (again_ || session_.has_events());
    in_kick_ = false;

    if (!writing_ && session_.has_output()) start_write();
    if (session_.closed()) {
        if (!writing_) {
            finish();
            return;
        }
        if (!close_deadline_) close_deadline_ = Clock::now() + kCloseFlushTimeout;
    } else {
        do_read();
    }
    arm_timer();
}

void SmppConnection::do_read() {
    if (reading_ || finished_ || !session_.wants_input()) return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(read_buf_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            self->reading_ = false;
            if (self->finished_) return;
            if (ec) {
                self->session_.close(CloseReason::transport,
                                     ec == asio::error::eof ? "the peer closed" : ec.message());
            } else {
                self->session_.receive(std::span<const std::uint8_t>(self->read_buf_.data(), n),
                                       Clock::now());
            }
            self->kick();
        });
}

void SmppConnection::start_write() {
    session_.take_output(write_buf_);
    if (write_buf_.empty()) return;
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(write_buf_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            self->writing_ = false;
            self->write_buf_.clear();
            if (self->finished_) return;
            if (ec) {
                // Nothing more can be written: drop what is queued.
                self->session_.close(CloseReason::transport, ec.message());
                std::vector<std::uint8_t> drop;
                self->session_.take_output(drop);
            }
            self->kick();
        });
}

void SmppConnection::arm_timer() {
    if (finished_) return;
    std::optional<TimePoint> d = session_.next_deadline();
    auto consider = [&d](const std::optional<TimePoint>& t) {
        if (t && (!d || *t < *d)) d = t;
    };
    consider(wake_);
    consider(close_deadline_);
    if (!d) return;
    if (armed_ && *armed_ <= *d) return;  // an earlier wake-up is already set
    armed_ = d;
    std::uint64_t gen = ++timer_gen_;
    timer_.expires_at(*d);
    timer_.async_wait([self = shared_from_this(), gen](const boost::system::error_code& ec) {
        if (ec || gen != self->timer_gen_ || self->finished_) return;
        self->armed_.reset();
        auto now = Clock::now();
        if (self->close_deadline_ && now >= *self->close_deadline_) {
            self->finish();  // the peer does not take our last bytes
            return;
        }
        self->session_.on_time(now);
        if (self->wake_ && now >= *self->wake_) {
            self->wake_.reset();
            if (!self->session_.closed())
                if (auto owner = self->owner_.lock()) owner->on_ready(*self);
        }
        self->kick();
    });
}

void SmppConnection::finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    // Requests whose callbacks are still pending were reported by the session's close.
    callbacks_.clear();
    free_slots_.clear();
    // Reported from a fresh handler: the owner may drop the connection there.
    asio::post(timer_.get_executor(), [self = shared_from_this()] {
        if (auto owner = self->owner_.lock()) owner->on_finished(*self);
    });
}

}  // namespace ussdgw::smpp
