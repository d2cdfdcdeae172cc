#include "engine/sms/SmppSmsIngress.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/base/Log.hpp"
#include "engine/sms/IntegratorSms.hpp"

namespace ussdgw::sms {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
ClientReceiptQueue::Settings queue_settings(const SmsConfig& c, const smpp::SmppConfig& s) {
    ClientReceiptQueue::Settings q;
    q.window = std::max<std::size_t>(1, s.server.window);
    q.poll = c.poll_interval;
    q.retry = c.receipt_retry;
    return q;
}
}  // namespace

SmppSmsIngress::SmppSmsIngress(asio::io_context& io, const SmsConfig& config,
                               storage::Storage& storage, smpp::SmppService& smpp,
                               std::function<void()> kick)
    : io_(io),
      storage_(storage),
      smpp_(smpp),
      kick_(std::move(kick)),
      queue_(queue_settings(config, smpp.config())),
      timer_(io) {
    if (!smpp_.config().server.enabled) return;
    auto now = Clock::now();
    for (const auto& a : smpp_.config().server.accounts) {
        if (std::find(a.roles.begin(), a.roles.end(), "sms") == a.roles.end()) continue;
        Account& acc = accounts_[a.system_id];
        acc.config = &a;
        acc.bucket.configure(a.sms_throughput, now);
    }
}

SmppSmsIngress::~SmppSmsIngress() = default;

void SmppSmsIngress::stop() {
    stopped_ = true;
    timer_.cancel();
}

void SmppSmsIngress::on_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                                smpp::SmppReply reply) {
    auto it = accounts_.find(peer.link);
    auto refuse = [&](std::uint32_t status, const char* reason) {
        log::limited(log::Level::warn, "sms.integrator_refused", "account", peer.link, "peer",
                     peer.address, "command", smpp::command_name(request.command_id()), "status",
                     fmt::format("0x{:08x}", status), "reason", reason);
        reply.reject(status);
    };
    if (it == accounts_.end()) {
        ++stats_.refused;
        refuse(smpp::kNotServed, "role_missing");
        return;
    }
    if (stopped_) {
        ++stats_.refused;
        refuse(smpp::status::syserr, "stopping");
        return;
    }
    auto sms = read_integrator_sms(request);
    if (!sms) {
        ++stats_.refused;
        refuse(sms.error().status, sms.error().reason);
        return;
    }
    if (!it->second.bucket.take(Clock::now())) {
        ++stats_.throttled;
        refuse(smpp::status::throttled, "sms_throughput");
        return;
    }
    auto msisdn = storage::Msisdn::parse(sms->destination.address);  // checked when read
    std::string id = ids_.next();
    storage::ClientSms row = client_sms(*sms, peer.link, id, *msisdn);
    int cap = static_cast<int>(it->second.config->sms_max_queued);
    storage_.with_outbox<std::int64_t>(
        [row = std::move(row), cap](storage::SmsOutbox& o, std::int64_t now) {
            return o.enqueue_client(row, cap, now);
        },
        lifetime_.guard([this, reply, id, account = peer.link, peer_address = peer.address,
                         command = request.command_id(),
                         parts_hint = sms->octets.size()](Result<std::int64_t> r) {
            if (!r) {
                bool full = r.error().code == "sms.queue_full";
                ++(full ? stats_.queue_full : stats_.refused);
                std::uint32_t status = full ? smpp::status::msgqful : smpp::status::syserr;
                log::limited(log::Level::warn, "sms.integrator_refused", "account", account, "peer",
                             peer_address, "command", smpp::command_name(command), "status",
                             fmt::format("0x{:08x}", status), "reason",
                             full ? "sms_max_queued" : r.error().code);
                reply.reject(status);
                return;
            }
            ++stats_.accepted;
            log::info("sms.integrator_accepted", "account", account, "message_id", id, "outbox_id",
                      *r, "octets", parts_hint);
            reply.accept(id);
            if (kick_) kick_();
        }));
}

void SmppSmsIngress::on_bind(const std::string& system_id) {
    if (!accounts_.contains(system_id)) return;
    smpp::SmppServer* server = smpp_.server();
    bool up = server && server->receivers(system_id) > 0;
    perform(queue_.bound(system_id, up, Clock::now()));
}

void SmppSmsIngress::receipts_due() {
    if (accounts_.empty()) return;
    perform(queue_.due("", Clock::now()));
}

void SmppSmsIngress::perform(ClientReceiptQueue::Actions actions) {
    for (auto& a : actions) {
        switch (a.kind) {
            case ClientReceiptQueue::Action::Kind::load:
                storage_.with_outbox<std::vector<storage::ClientReceipt>>(
                    [account = a.account, limit = a.limit](storage::SmsOutbox& o, std::int64_t) {
                        return o.client_receipts_due(account, limit);
                    },
                    lifetime_.guard([this, account = a.account](
                                        Result<std::vector<storage::ClientReceipt>> rows) {
                        if (!rows)
                            log::error("sms.receipts_read_failed", "account", account, "error",
                                       rows.error().message);
                        perform(queue_.loaded(
                            account,
                            rows ? std::move(*rows) : std::vector<storage::ClientReceipt>{},
                            rows.ok(), Clock::now()));
                    }));
                break;
            case ClientReceiptQueue::Action::Kind::send:
                send_receipt(a.account, a.receipt);
                break;
            case ClientReceiptQueue::Action::Kind::ack:
                storage_.with_outbox<Ok>(
                    [id = a.receipt.id](storage::SmsOutbox& o, std::int64_t now) {
                        return o.ack_client_receipt(id, now);
                    },
                    lifetime_.guard([this, account = a.account, id = a.receipt.id](Status st) {
                        if (st) ++stats_.receipts_acked;
                        if (!st)
                            log::error("sms.receipt_ack_failed", "account", account, "receipt_id",
                                       id, "error", st.error().message);
                        perform(queue_.acked(account, id, st.ok(), Clock::now()));
                    }));
                break;
        }
    }
    schedule();
}

void SmppSmsIngress::send_receipt(const std::string& account, const storage::ClientReceipt& r) {
    smpp::SmppServer* server = smpp_.server();
    auto done = lifetime_.guard([this, account, id = r.id, message_id = r.client_message_id,
                                 stat = r.stat](smpp::RequestOutcome& o) {
        if (o.ok()) {
            log::info("sms.integrator_receipt", "account", account, "message_id", message_id,
                      "stat", stat);
        } else {
            log::warn("sms.integrator_receipt_unanswered", "account", account, "message_id",
                      message_id, "kind",
                      o.kind == smpp::RequestOutcome::Kind::response  ? "refused"
                      : o.kind == smpp::RequestOutcome::Kind::timeout ? "timeout"
                                                                      : "not_sent",
                      "status", o.status);
        }
        perform(queue_.answered(account, id, o.ok(), Clock::now()));
    });
    ++stats_.receipts_sent;
    smpp::SendResult sent{smpp::SendError::not_bound, 0};
    if (server) sent = server->send_to(account, receipt_deliver_sm(r), done);
    if (sent.ok()) return;
    smpp::RequestOutcome o;
    o.kind = smpp::RequestOutcome::Kind::not_sent;
    o.send_error = sent.error;
    asio::post(io_, [done = std::move(done), o]() mutable { done(o); });
}

void SmppSmsIngress::schedule() {
    if (stopped_) return;
    auto next = queue_.next_deadline();
    if (!next) return;
    timer_.expires_at(*next);
    timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        perform(queue_.tick(Clock::now()));
    }));
}

}  // namespace ussdgw::sms
