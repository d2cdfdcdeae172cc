#include "engine/cli/UssdLoad.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <numeric>

#include "engine/cli/BenchPopulation.hpp"

namespace ussdgw::cli::ussdbench {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {
constexpr std::size_t kWrongKept = 5;
constexpr std::uint8_t kReleaseOp = 0x81;  // the vendor release the engine knows by default
}  // namespace

UssdLoad::UssdLoad(asio::io_context& io, smpp::LoadServerOptions server, LoadSettings settings)
    : io_(io),
      server_(io, std::move(server), *this),
      s_(settings),
      ticker_(io),
      known_(settings.population, Known::open),
      slot_of_(settings.population, -1),
      acked_changes_(settings.population, 0),
      maybe_changed_(settings.population, false) {
    if (s_.order == SubscriberOrder::scattered && s_.population > 2) {
        scatter_ = static_cast<std::uint64_t>(static_cast<double>(s_.population) * 0.6180339887);
        while (std::gcd(scatter_, std::uint64_t{s_.population}) != 1)
            ++scatter_;
    }
    server_.start();
}

std::size_t UssdLoad::subscriber_at(std::size_t position) const {
    return static_cast<std::size_t>(static_cast<std::uint64_t>(position) * scatter_ %
                                    s_.population);
}

UssdLoad::~UssdLoad() {
    server_.close();
}

void UssdLoad::run_until(const std::function<bool()>& done, Clock::time_point deadline) {
    while (!done() && Clock::now() < deadline)
        io_.run_for(5ms);
}

bool UssdLoad::wait_bound(std::size_t links, std::chrono::milliseconds limit,
                          std::size_t sms_links) {
    auto bound = [&] { return links_.size() >= links && sms_links_.size() >= sms_links; };
    run_until(bound, Clock::now() + limit);
    return bound();
}

void UssdLoad::on_bound(std::size_t link, const smpp::BindRequest& bind) {
    (bind.system_id == kSmsOnlySystemId ? sms_links_ : links_).push_back(link);
}

void UssdLoad::on_link_closed(std::size_t link) {
    std::erase(links_, link);
    std::erase(sms_links_, link);
}

void UssdLoad::on_bad_frame(std::size_t, const smpp::DecodeError& e) {
    ++r_.unexpected;
    if (r_.first_wrong.size() < kWrongKept)
        r_.first_wrong.push_back("undecodable frame: " + e.reason);
}

bool UssdLoad::start_dialogue(std::size_t i) {
    Slot& slot = slots_[i];
    if (links_.empty()) return false;
    // The slot's next subscriber whose state is known and who has no dialogue open.
    for (std::size_t tries = 0; tries < s_.population; ++tries) {
        // Held (idle) dialogues take adjacent subscribers: what they measure is a dialogue's
        // memory, not how much of SQLite's page cache scattered lookups fill.
        const std::size_t sub = slot.hold ? slot.next_position : subscriber_at(slot.next_position);
        slot.next_position += slot.hold ? 1 : s_.concurrency;
        if (slot.next_position >= s_.population) slot.next_position = i % s_.concurrency;
        if (known_[sub] == Known::unknown || slot_of_[sub] >= 0) continue;
        // The share of password dialogues, given to subscribers whose access is open (a
        // closed one would be refused before any hashing).
        Scenario scenario = s_.scenario;
        if (!slot.hold && s_.password_share > 0) {
            password_credit_ += s_.password_share / 100.0;
            if (password_credit_ >= 1 && known_[sub] == Known::open) {
                password_credit_ -= 1;
                scenario = Scenario::password;
            }
        }
        slot.dialogue.emplace(scenario, sub, known_[sub] == Known::open, ++slot.session);
        slot_of_[sub] = static_cast<std::int32_t>(i);
        send_step(i, Clock::now());
        return true;
    }
    return false;
}

void UssdLoad::send_step(std::size_t i, Clock::time_point now) {
    Slot& slot = slots_[i];
    const auto& d = *slot.dialogue;
    slot.sent_at = now;
    slot.waiting = true;
    if (!server_.send(slot.link, deliver_sm_of(d.request(), population::msisdn(d.subscriber())), i))
        fail(i, r_.refused, "link not bound");
}

void UssdLoad::end_dialogue(std::size_t i, bool lost) {
    Slot& slot = slots_[i];
    if (slot.dialogue) {
        const std::size_t sub = slot.dialogue->subscriber();
        slot_of_[sub] = -1;
        if (lost) {
            known_[sub] = Known::unknown;  // it may or may not have changed
            if (slot.dialogue->changes_access() && slot.dialogue->awaiting_final())
                maybe_changed_[sub] = true;
        }
        slot.dialogue.reset();
    }
    slot.waiting = false;
    if (!running_ || slot.hold) return;
    if (s_.rate > 0)
        idle_slots_.push_back(i);
    else
        start_dialogue(i);
}

void UssdLoad::fail(std::size_t i, std::uint64_t& counter, std::string why) {
    if (measuring_) ++counter;
    if (measuring_ && slots_[i].dialogue && slots_[i].dialogue->is_password()) ++r_.password.late;
    if (r_.first_wrong.size() < kWrongKept) r_.first_wrong.push_back(std::move(why));
    end_dialogue(i, true);
}

std::uint32_t UssdLoad::on_submit(std::size_t link, const smpp::SubmitSm& sm,
                                  Clock::time_point now) {
    if (!sm.tlvs.ussd_service_op) {
        if (measuring_) ++r_.sms;  // an SMS (the password dialogues' new passwords): accepted
        return smpp::status::ok;
    }
    const std::int64_t sub = population::index_of(sm.destination.address, s_.population);
    if (sub < 0 || slot_of_[static_cast<std::size_t>(sub)] < 0 ||
        !slots_[static_cast<std::size_t>(slot_of_[static_cast<std::size_t>(sub)])].waiting) {
        if (measuring_) ++r_.unexpected;
        return smpp::status::ok;
    }
    const auto i = static_cast<std::size_t>(slot_of_[static_cast<std::size_t>(sub)]);
    Slot& slot = slots_[i];
    slot.waiting = false;
    if (link != slot.link) {
        fail(i, r_.wrong,
             fmt::format("screen for {} on link {}, dialogue on link {}", sm.destination.address,
                         link, slot.link));
        return smpp::status::ok;
    }
    auto screen = screen_of(sm);
    if (!screen) {
        fail(i, r_.wrong, sm.destination.address + ": " + screen.error().message);
        return smpp::status::ok;
    }
    const Verdict v = slot.dialogue->on_screen(*screen);
    if (v.kind == Verdict::Kind::wrong) {
        fail(i, r_.wrong, sm.destination.address + " " + v.why);
        return smpp::status::ok;
    }
    const auto took = now - slot.sent_at;
    if (slot.dialogue->is_password()) {
        if (measuring_) count_password(*slot.dialogue, took);
    } else if (measuring_) {
        ++r_.steps;
        latencies_us_.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
    }
    if (v.kind == Verdict::Kind::done) {
        if (measuring_ && !slot.dialogue->is_password()) ++r_.dialogues;
        if (slot.dialogue->changes_access()) ++acked_changes_[slot.dialogue->subscriber()];
        known_[slot.dialogue->subscriber()] =
            slot.dialogue->access_open_after() ? Known::open : Known::closed;
        end_dialogue(i, false);
    } else if (slot.hold) {
        ++held_open_;
    } else {
        send_step(i, now);
    }
    return smpp::status::ok;
}

void UssdLoad::count_password(const SubscriberDialogue& d, Clock::duration took) {
    PasswordResult& p = r_.password;
    ++p.dialogues;
    switch (d.password_answer()) {
        case PasswordAnswer::sent:
            ++p.sent;
            break;
        case PasswordAnswer::try_later:
            ++p.try_later;
            break;
        case PasswordAnswer::limit:
            ++p.limit;
            break;
        case PasswordAnswer::access_closed:
            ++p.access_closed;
            break;
        case PasswordAnswer::none:
            break;
    }
    ++(took <= s_.step_timeout ? p.within_deadline : p.late);
    password_latencies_us_.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
}

void UssdLoad::on_deliver_resp(std::size_t, std::uint64_t token, std::uint32_t status,
                               Clock::time_point) {
    if (status == smpp::status::ok || token >= slots_.size()) return;
    if (slots_[token].waiting)
        fail(token, r_.refused, fmt::format("deliver_sm answered with status 0x{:02X}", status));
}

void UssdLoad::tick() {
    const auto now = Clock::now();
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (slots_[i].waiting && now - slots_[i].sent_at > s_.step_timeout)
            fail(i, r_.timed_out, fmt::format("no screen within {} ms", s_.step_timeout.count()));
    }
    if (running_ && s_.rate > 0) {
        const double due = s_.rate * std::chrono::duration<double>(now - paced_from_).count();
        while (static_cast<double>(paced_started_) < due && !idle_slots_.empty()) {
            const std::size_t i = idle_slots_.back();
            idle_slots_.pop_back();
            ++paced_started_;
            start_dialogue(i);
        }
        // Behind schedule with every slot busy: the offered rate is not met (skip ahead).
        if (static_cast<double>(paced_started_) + 1 < due && idle_slots_.empty())
            paced_started_ = static_cast<std::uint64_t>(due);
    }
    ticker_.expires_after(s_.rate > 0 ? 1ms : 100ms);
    ticker_.async_wait([this](boost::system::error_code ec) {
        if (!ec) tick();
    });
}

namespace {

// Percentile p of the latencies `v` (µs, sorted), in ms.
double percentile_ms(const std::vector<std::uint32_t>& v, double p) {
    return static_cast<double>(v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))]) /
           1000.0;
}

}  // namespace

LoadResult UssdLoad::run(const std::function<void(bool)>& on_window,
                         const std::function<void(const IntervalReport&)>& on_interval) {
    r_ = {};
    latencies_us_.clear();
    password_latencies_us_.clear();
    password_credit_ = 0;
    slots_.assign(s_.concurrency, Slot{});
    running_ = true;
    paced_from_ = Clock::now();
    paced_started_ = 0;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        slots_[i].link = links_.empty() ? 0 : links_[i % links_.size()];
        slots_[i].next_position = i % s_.population;
        if (s_.rate > 0)
            idle_slots_.push_back(i);
        else
            start_dialogue(i);
    }
    tick();
    run_until([] { return false; }, Clock::now() + s_.warmup);
    const auto kept = r_.first_wrong;
    r_ = {};
    r_.first_wrong = kept;
    measuring_ = true;
    on_window(true);
    const auto t0 = Clock::now();
    const double c0 = population::process_cpu_seconds();
    const auto end = t0 + s_.measure;
    if (s_.report_every.count() > 0 && on_interval) {
        // What the window had counted at the last report.
        double seconds_before = 0;
        std::uint64_t dialogues_before = 0, steps_before = 0;
        std::size_t latencies_before = 0;
        for (auto next = t0 + s_.report_every; Clock::now() < end; next += s_.report_every) {
            run_until([] { return false; }, std::min(next, end));
            IntervalReport rep;
            rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            rep.interval_seconds = rep.seconds - seconds_before;
            rep.dialogues = r_.dialogues - dialogues_before;
            rep.steps = r_.steps - steps_before;
            std::vector<std::uint32_t> v(
                latencies_us_.begin() + static_cast<std::ptrdiff_t>(latencies_before),
                latencies_us_.end());
            if (!v.empty()) {
                std::sort(v.begin(), v.end());
                rep.p50_ms = percentile_ms(v, 0.50);
                rep.p99_ms = percentile_ms(v, 0.99);
                rep.max_ms = percentile_ms(v, 1.0);
            }
            on_interval(rep);
            seconds_before = rep.seconds;
            dialogues_before = r_.dialogues;
            steps_before = r_.steps;
            latencies_before = latencies_us_.size();
        }
    }
    run_until([] { return false; }, end);
    r_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r_.generator_cpu_seconds = population::process_cpu_seconds() - c0;
    measuring_ = false;
    on_window(false);
    running_ = false;
    idle_slots_.clear();
    run_until(
        [&] {
            return std::none_of(slots_.begin(), slots_.end(), [](auto& s) { return s.waiting; });
        },
        Clock::now() + s_.step_timeout + 1s);
    ticker_.cancel();
    if (auto& v = latencies_us_; !v.empty()) {
        std::sort(v.begin(), v.end());
        r_.p50_ms = percentile_ms(v, 0.50);
        r_.p99_ms = percentile_ms(v, 0.99);
        r_.p999_ms = percentile_ms(v, 0.999);
        r_.max_ms = percentile_ms(v, 1.0);
    }
    if (auto& v = password_latencies_us_; !v.empty()) {
        std::sort(v.begin(), v.end());
        r_.password.p50_ms = percentile_ms(v, 0.50);
        r_.password.p99_ms = percentile_ms(v, 0.99);
        r_.password.max_ms = percentile_ms(v, 1.0);
    }
    return r_;
}

std::size_t UssdLoad::open_idle(std::size_t n, std::chrono::milliseconds limit,
                                const std::function<void()>& measure) {
    n = std::min(n, s_.population);
    slots_.assign(n, Slot{});
    held_open_ = 0;
    running_ = true;
    for (std::size_t i = 0; i < n; ++i) {
        slots_[i].hold = true;
        slots_[i].link = links_.empty() ? 0 : links_[i % links_.size()];
        slots_[i].next_position = i;
        start_dialogue(i);
    }
    tick();
    run_until([&] { return held_open_ >= n; }, Clock::now() + limit);
    const std::size_t opened = held_open_;
    run_until([] { return false; }, Clock::now() + 500ms);  // let the peer settle
    measure();
    // Release them (the network's abort), as a USSD centre would.
    for (std::size_t i = 0; i < n; ++i) {
        Slot& slot = slots_[i];
        if (!slot.dialogue) continue;
        Request release = slot.dialogue->request();
        release.op = kReleaseOp;
        release.text.clear();
        server_.send(slot.link,
                     deliver_sm_of(release, population::msisdn(slot.dialogue->subscriber())), i);
        slot_of_[slot.dialogue->subscriber()] = -1;
        slot.dialogue.reset();
        slot.waiting = false;
    }
    running_ = false;
    run_until([] { return false; }, Clock::now() + 1s);
    ticker_.cancel();
    return opened;
}

bool UssdLoad::write_ledger(const std::string& path) const {
    std::vector<bool> pending = maybe_changed_;
    for (const Slot& slot : slots_)
        if (slot.dialogue && slot.dialogue->changes_access() && slot.dialogue->awaiting_final())
            pending[slot.dialogue->subscriber()] = true;
    std::ofstream out(path);
    for (std::size_t i = 0; i < s_.population; ++i)
        if (acked_changes_[i] > 0 || pending[i])
            out << population::msisdn(i) << ' ' << acked_changes_[i] << ' ' << (pending[i] ? 1 : 0)
                << '\n';
    return static_cast<bool>(out);
}

}  // namespace ussdgw::cli::ussdbench
