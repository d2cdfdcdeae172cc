#include "smpp/SmppLoadClient.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "smpp/PduCodec.hpp"
#include "smpp/detail/Bytes.hpp"

namespace ussdgw::smpp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

using detail::get32;
using detail::put32;

// A body-less PDU (enquire_link_resp, unbind, unbind_resp, ...), or one with one empty
// C-string (deliver_sm_resp).
void append_header(std::vector<std::uint8_t>& out, std::uint32_t id, std::uint32_t seq,
                   bool empty_cstring = false) {
    const std::size_t at = out.size();
    out.resize(at + kHeaderLength + (empty_cstring ? 1 : 0));
    put32(&out[at], static_cast<std::uint32_t>(kHeaderLength + (empty_cstring ? 1 : 0)));
    put32(&out[at + 4], id);
    put32(&out[at + 8], 0);
    put32(&out[at + 12], seq);
    if (empty_cstring) out[at + 16] = 0;
}

std::uint32_t id(CommandId c) {
    return static_cast<std::uint32_t>(c);
}

class LoadRun {
  public:
    explicit LoadRun(const LoadOptions& o) : o_(o), socket_(io_), timer_(io_) {}

    Result<LoadReport> run() {
        if (o_.window == 0) return fail("bench.window", "window must be at least 1");
        Pdu bind{status::ok, 1,
                 BindRequest{BindType::transceiver, o_.system_id, o_.password, "", 0x34, {}}};
        std::vector<std::uint8_t> bind_frame;
        if (auto st = encode(bind, bind_frame); !st) return Failure{st.error()};
        Pdu submit{status::ok, 0, o_.message};
        if (auto st = encode(submit, template_); !st) return Failure{st.error()};

        std::size_t ring = 1;
        while (ring < 2 * static_cast<std::size_t>(o_.window) + 2)
            ring <<= 1;
        sent_at_.assign(ring, Clock::time_point{});
        mask_ = ring - 1;
        latencies_ns_.reserve(
            static_cast<std::size_t>(std::min<std::uint64_t>(o_.count, 20'000'000)));
        rbuf_.resize(256 * 1024);

        boost::system::error_code ec;
        auto address = asio::ip::make_address(o_.host, ec);
        if (ec) return fail("bench.address", fmt::format("bad host {}: {}", o_.host, ec.message()));
        arm(o_.io_timeout, "connect");
        socket_.async_connect(tcp::endpoint(address, o_.port), [this, bind_frame](auto e) {
            if (e)
                return finish(fmt::format("connect to {}:{}: {}", o_.host, o_.port, e.message()));
            socket_.set_option(tcp::no_delay(true));
            phase_ = "bind";
            pending_ = bind_frame;
            kick_write();
            read_more();
        });
        io_.run();
        if (!error_.empty()) return fail("bench.failed", error_);
        return report();
    }

  private:
    void arm(std::chrono::milliseconds after, const char* phase) {
        phase_ = phase;
        timer_.expires_after(after);
        timer_.async_wait([this](auto e) {
            if (e) return;  // re-armed or cancelled
            if (phase_ == std::string_view("unbind"))
                return finish({});  // no unbind_resp: not fatal
            finish(fmt::format("timed out in phase {} (sent {}, answered {})", phase_, report_.sent,
                               report_.ok + report_.failed));
        });
    }

    void finish(std::string error) {
        if (done_) return;
        done_ = true;
        if (error_.empty()) error_ = std::move(error);
        timer_.cancel();
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    void kick_write() {
        if (writing_ || pending_.empty() || done_) return;
        writing_ = true;
        inflight_.swap(pending_);
        asio::async_write(socket_, asio::buffer(inflight_), [this](auto e, std::size_t) {
            writing_ = false;
            inflight_.clear();
            if (e) return finish(fmt::format("write: {}", e.message()));
            kick_write();
        });
    }

    void read_more() {
        if (done_) return;
        if (rlen_ == rbuf_.size()) return finish("a frame larger than the read buffer");
        socket_.async_read_some(
            asio::buffer(rbuf_.data() + rlen_, rbuf_.size() - rlen_),
            [this](auto e, std::size_t n) {
                if (e) {
                    if (phase_ == std::string_view("unbind")) return finish({});
                    return finish(fmt::format("read in phase {}: {}", phase_, e.message()));
                }
                rlen_ += n;
                on_bytes();
                read_more();
            });
    }

    void on_bytes() {
        const auto now = Clock::now();
        std::size_t at = 0;
        while (!done_ && rlen_ - at >= kHeaderLength) {
            const std::uint32_t len = get32(&rbuf_[at]);
            if (len < kHeaderLength || len > kDefaultMaxFrameLength)
                return finish(fmt::format("unframeable response (command_length {})", len));
            if (rlen_ - at < len) break;
            on_frame(get32(&rbuf_[at + 4]), get32(&rbuf_[at + 8]), get32(&rbuf_[at + 12]), now);
            at += len;
        }
        if (at > 0) {
            std::memmove(rbuf_.data(), rbuf_.data() + at, rlen_ - at);
            rlen_ -= at;
        }
        refill(now);
        kick_write();
    }

    void on_frame(std::uint32_t cmd, std::uint32_t st, std::uint32_t seq, Clock::time_point now) {
        if (cmd == id(CommandId::bind_transceiver_resp)) {
            if (st != status::ok)
                return finish(fmt::format("bind refused with status 0x{:02X}", st));
            loading_ = true;
            start_ = now;
            last_ = now;
            arm(o_.duration + o_.io_timeout, "load");
        } else if (cmd == id(CommandId::submit_sm_resp) || cmd == id(CommandId::generic_nack)) {
            if (cmd == id(CommandId::generic_nack) && seq == 1)
                return finish(fmt::format("bind answered with generic_nack 0x{:02X}", st));
            auto& t = sent_at_[seq & mask_];
            if (t == Clock::time_point{}) return;  // not one of ours (or answered twice)
            latencies_ns_.push_back(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count()));
            t = Clock::time_point{};
            --outstanding_;
            last_ = now;
            if (cmd == id(CommandId::submit_sm_resp) && st == status::ok) {
                ++report_.ok;
            } else {
                if (report_.failed++ == 0) report_.first_error_status = st;
            }
        } else if (cmd == id(CommandId::unbind_resp)) {
            report_.unbound_cleanly = true;
            finish({});
        } else if (cmd == id(CommandId::enquire_link)) {
            append_header(pending_, id(CommandId::enquire_link_resp), seq);
        } else if (cmd == id(CommandId::deliver_sm)) {
            append_header(pending_, id(CommandId::deliver_sm_resp), seq, true);
        } else if (cmd == id(CommandId::unbind)) {
            append_header(pending_, id(CommandId::unbind_resp), seq);
            stopping_ = true;
        }
    }

    void refill(Clock::time_point now) {
        if (!loading_) return;
        if (!stopping_ && (report_.sent >= o_.count || now - start_ >= o_.duration)) {
            stopping_ = true;
        }
        while (!stopping_ && outstanding_ < o_.window && report_.sent < o_.count) {
            const std::uint32_t seq = next_seq_++;
            if (next_seq_ >= 0x7FFFFFFF) next_seq_ = 2;
            const std::size_t at = pending_.size();
            pending_.insert(pending_.end(), template_.begin(), template_.end());
            put32(&pending_[at + 12], seq);
            sent_at_[seq & mask_] = now;
            ++outstanding_;
            ++report_.sent;
        }
        if (stopping_ && !unbind_sent_) {
            if (!draining_) {
                draining_ = true;
                arm(o_.io_timeout, "drain");
            }
            if (outstanding_ == 0) {
                unbind_sent_ = true;
                append_header(pending_, id(CommandId::unbind), next_seq_++);
                arm(o_.io_timeout, "unbind");
            }
        }
    }

    LoadReport report() {
        report_.seconds = std::chrono::duration<double>(last_ - start_).count();
        auto& v = latencies_ns_;
        if (!v.empty()) {
            std::sort(v.begin(), v.end());
            auto pct = [&](double p) {
                const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
                return static_cast<double>(v[i]) / 1000.0;
            };
            report_.p50_us = pct(0.50);
            report_.p90_us = pct(0.90);
            report_.p99_us = pct(0.99);
            report_.max_us = static_cast<double>(v.back()) / 1000.0;
        }
        return report_;
    }

    const LoadOptions& o_;
    asio::io_context io_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    const char* phase_ = "connect";
    std::string error_;
    bool done_ = false;

    std::vector<std::uint8_t> template_;
    std::vector<std::uint8_t> pending_, inflight_;
    bool writing_ = false;
    std::vector<std::uint8_t> rbuf_;
    std::size_t rlen_ = 0;

    bool loading_ = false, stopping_ = false, draining_ = false, unbind_sent_ = false;
    std::uint32_t next_seq_ = 2;
    std::uint32_t outstanding_ = 0;
    std::vector<Clock::time_point> sent_at_;
    std::size_t mask_ = 0;
    std::vector<std::uint64_t> latencies_ns_;
    Clock::time_point start_{}, last_{};
    LoadReport report_;
};

}  // namespace

Result<LoadReport> run_submit_load(const LoadOptions& options) {
    LoadRun run(options);
    return run.run();
}

}  // namespace ussdgw::smpp
