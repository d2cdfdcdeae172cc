// http_ussd_load: the load generator of scripts/bench-http-ussd.sh. C connections with
// HTTP/1.1 keep-alive each run whole USSD dialogues one after the other, in the aggregator
// convention (form fields sessionId, serviceCode, phoneNumber, networkCode, text), each with
// a unique sessionId and the steps' texts given ("" "1" "1*2": three steps). Every step but
// the last must be answered "CON ...", the last "END ..."; anything else counts as an error.
// A connection uses its own phone numbers, so no two dialogues of one phone overlap. Runs
// for the seconds given (dialogues begun by then finish), then prints one line:
//   steps=N dialogues=N errors=N seconds=S steps_per_s=X dialogues_per_s=X p50_us=N p99_us=N
// (step latency: request written to answer read). Single-threaded (Boost.Asio + Beast);
// talks to 127.0.0.1 only.
//   http_ussd_load PORT PATH CODE PHONE_BASE PHONES CONNECTIONS SECONDS TEXT...
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    unsigned short port = 0;
    std::string path, code;
    unsigned long long phone_base = 0;
    unsigned long phones = 0;
    unsigned connections = 0;
    double seconds = 0;
    std::vector<std::string> texts;
};

struct Totals {
    unsigned long long steps = 0, dialogues = 0, errors = 0;
    std::vector<std::uint32_t> latencies_us;
    bool stopping = false;
    int open = 0;
};

std::string encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

class Client : public std::enable_shared_from_this<Client> {
  public:
    Client(asio::io_context& io, const Options& o, Totals& t, unsigned index)
        : socket_(io), o_(o), t_(t), index_(index) {}

    void start() {
        ++t_.open;
        socket_.async_connect({asio::ip::make_address("127.0.0.1"), o_.port},
                              [self = shared_from_this()](boost::system::error_code ec) {
                                  if (ec) return self->fail();
                                  self->next_dialogue();
                              });
    }

  private:
    void next_dialogue() {
        if (t_.stopping) return done();
        ++dialogue_;
        step_ = 0;
        unsigned long per = std::max<unsigned long>(1, o_.phones / o_.connections);
        phone_ = std::to_string(o_.phone_base + index_ + o_.connections * (dialogue_ % per));
        session_ = "L" + std::to_string(index_) + "-" + std::to_string(dialogue_) + "-" +
                   std::to_string(::getpid());
        send();
    }

    void send() {
        req_ = {bhttp::verb::post, o_.path, 11};
        req_.set(bhttp::field::host, "127.0.0.1");
        req_.set(bhttp::field::content_type, "application/x-www-form-urlencoded");
        req_.body() = "sessionId=" + session_ + "&serviceCode=" + encode(o_.code) +
                      "&phoneNumber=%2B" + phone_ +
                      "&networkCode=25701&text=" + encode(o_.texts[step_]);
        req_.prepare_payload();
        sent_ = Clock::now();
        bhttp::async_write(socket_, req_,
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                               if (ec) return self->fail();
                               self->read();
                           });
    }

    void read() {
        res_ = {};
        bhttp::async_read(socket_, buffer_, res_,
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->fail();
                              self->on_answer();
                          });
    }

    void on_answer() {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_);
        t_.latencies_us.push_back(static_cast<std::uint32_t>(us.count()));
        ++t_.steps;
        bool last = step_ + 1 == o_.texts.size();
        const std::string& body = res_.body();
        bool ok = res_.result() == bhttp::status::ok && body.rfind(last ? "END " : "CON ", 0) == 0;
        if (!ok) {
            if (++t_.errors <= 5)
                std::fprintf(stderr, "http_ussd_load: step %zu of %s: %d %s\n", step_ + 1,
                             session_.c_str(), res_.result_int(), body.c_str());
            return next_dialogue();
        }
        if (last) {
            ++t_.dialogues;
            return next_dialogue();
        }
        ++step_;
        send();
    }

    void fail() {
        ++t_.errors;
        done();
    }
    void done() {
        boost::system::error_code ec;
        socket_.close(ec);
        --t_.open;
    }

    tcp::socket socket_;
    const Options& o_;
    Totals& t_;
    unsigned index_;
    unsigned long dialogue_ = 0;
    std::size_t step_ = 0;
    std::string phone_, session_;
    bhttp::request<bhttp::string_body> req_;
    bhttp::response<bhttp::string_body> res_;
    boost::beast::flat_buffer buffer_;
    Clock::time_point sent_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 9) {
        std::fprintf(stderr,
                     "usage: http_ussd_load PORT PATH CODE PHONE_BASE PHONES CONNECTIONS SECONDS "
                     "TEXT...\n");
        return 2;
    }
    Options o;
    o.port = static_cast<unsigned short>(std::atoi(argv[1]));
    o.path = argv[2];
    o.code = argv[3];
    o.phone_base = std::strtoull(argv[4], nullptr, 10);
    o.phones = std::strtoul(argv[5], nullptr, 10);
    o.connections = static_cast<unsigned>(std::atoi(argv[6]));
    o.seconds = std::atof(argv[7]);
    for (int i = 8; i < argc; ++i)
        o.texts.emplace_back(argv[i]);
    if (o.connections == 0 || o.phones < o.connections) {
        std::fprintf(stderr, "http_ussd_load: need CONNECTIONS >= 1 and PHONES >= CONNECTIONS\n");
        return 2;
    }

    asio::io_context io;
    Totals t;
    t.latencies_us.reserve(1 << 22);
    for (unsigned i = 0; i < o.connections; ++i)
        std::make_shared<Client>(io, o, t, i)->start();
    asio::steady_timer stop(io);
    auto began = Clock::now();
    stop.expires_after(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds)));
    stop.async_wait([&](boost::system::error_code) { t.stopping = true; });
    io.run();  // until every dialogue begun has ended
    double seconds = std::chrono::duration<double>(Clock::now() - began).count();
    auto& l = t.latencies_us;
    std::sort(l.begin(), l.end());
    auto pct = [&](double p) {
        return l.empty() ? 0u : l[std::min(l.size() - 1, static_cast<std::size_t>(p * l.size()))];
    };
    std::printf(
        "steps=%llu dialogues=%llu errors=%llu seconds=%.2f steps_per_s=%.0f dialogues_per_s=%.0f "
        "p50_us=%u p99_us=%u\n",
        t.steps, t.dialogues, t.errors, seconds, t.steps / seconds, t.dialogues / seconds,
        pct(0.50), pct(0.99));
    return t.errors == 0 ? 0 : 1;
}
