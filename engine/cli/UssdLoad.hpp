// engine/cli/UssdLoad: the I/O shell of `ussdgw bench ussd`'s subscribers. It plays the USSD centre
// and the SMSC (an smpp::SmppLoadServer the system under test binds to, over one or more links) and
// drives `concurrency` simulated subscribers, each running SubscriberDialogue after
// SubscriberDialogue (UssdBenchScript.hpp) back to back, or at a fixed total rate of new dialogues
// (`rate`). Each slot keeps to one link, so every step of a dialogue arrives where the dialogue
// lives, and to its own subscribers (slot k takes the subscribers at positions k, k +
// concurrency, ... of `order`), so no two dialogues of one subscriber overlap. It measures what
// happens inside a window after a warm-up: dialogues completed, steps, per-step latency (deliver_sm
// queued to the screen's submit_sm read), and wrong screens, refused deliver_sm and steps without
// an answer within `step_timeout`, which never count as done; with `report_every`, each interval of
// the window too (soaks). With `password_share` percent, that share of the dialogues started are
// password dialogues (*141*0#, one step) for subscribers whose access is open; they are counted
// apart
// (`LoadResult::password`): the main figures are the 3-step dialogues alone. Separately,
// `open_idle` opens N dialogues (first screen received) and leaves them open, to measure what an
// open dialogue costs. Single-threaded on the caller's io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/cli/UssdBenchScript.hpp"
#include "smpp/SmppLoadServer.hpp"

namespace ussdgw::cli::ussdbench {

// A link bound with this system_id carries SMS only: no dials are sent on it (the engine's
// SMS link when its USSD links are spread over loop threads).
inline constexpr const char* kSmsOnlySystemId = "bench-sms";

// The order in which the slots walk the population. `adjacent`: position p is subscriber p,
// so the dialogues open at one time are on neighbouring rows of the engine's database (about
// 20 to a page) and a batch of commits shares a few pages: flattering, and fragile (slots
// that drift apart, as password dialogues of one step make them, lose it). `scattered`
// (the default): position p is subscriber p * m mod population (m near 0.618 of it, coprime
// with it), so neighbours in time are far apart in the table, as real subscribers are.
// `open_idle`'s held dialogues always take adjacent subscribers.
enum class SubscriberOrder { scattered, adjacent };

struct LoadSettings {
    Scenario scenario = Scenario::toggle;
    SubscriberOrder order = SubscriberOrder::scattered;
    std::size_t population = 1'000'000;
    std::size_t concurrency = 1000;
    double rate = 0;  // new dialogues per second in total; 0 = each slot back to back
    std::chrono::milliseconds warmup{2000}, measure{10000};
    // A step unanswered this long is lost (the phone gives up); a password dialogue answered
    // later than this is late.
    std::chrono::milliseconds step_timeout{10000};
    double password_share = 0;  // percent of the dialogues started
    // Inside the measured window, a report every this long (0: none): for soaks.
    std::chrono::milliseconds report_every{0};
};

// One interval of the measured window (LoadSettings::report_every): the 3-step figures.
struct IntervalReport {
    double seconds = 0;  // since the window began, at the interval's end
    std::uint64_t dialogues = 0, steps = 0;
    double interval_seconds = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// The password dialogues of a run: their final screens by kind, their latency, and how many
// were answered within the step deadline (LoadSettings::step_timeout).
struct PasswordResult {
    std::uint64_t dialogues = 0;  // answered with a valid final screen
    std::uint64_t sent = 0, try_later = 0, limit = 0, access_closed = 0;
    std::uint64_t within_deadline = 0, late = 0;  // late: answered after it, or never
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

struct LoadResult {
    double seconds = 0;  // the measured window
    std::uint64_t dialogues = 0, steps = 0;
    std::uint64_t wrong = 0, refused = 0, timed_out = 0, unexpected = 0, sms = 0;
    std::vector<std::string> first_wrong;  // what was wrong, the first few
    double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
    double generator_cpu_seconds = 0;
    PasswordResult password;  // not in the figures above
    double dialogues_per_second() const { return seconds > 0 ? dialogues / seconds : 0; }
    double steps_per_second() const { return seconds > 0 ? steps / seconds : 0; }
};

class UssdLoad final : public smpp::SmppLoadServer::Handler {
  public:
    using Clock = std::chrono::steady_clock;

    UssdLoad(boost::asio::io_context& io, smpp::LoadServerOptions server, LoadSettings settings);
    ~UssdLoad();

    std::uint16_t port() const { return server_.port(); }
    // Runs the io_context until `links` links for dials and `sms_links` SMS-only links are
    // bound; false after `limit`.
    bool wait_bound(std::size_t links, std::chrono::milliseconds limit, std::size_t sms_links = 0);
    // Warm-up, measured window, then up to step_timeout for dialogues in flight to end.
    // `on_window` is called at the start and the end of the measured window (CPU samples);
    // `on_interval` after each LoadSettings::report_every inside it.
    LoadResult run(const std::function<void(bool start)>& on_window,
                   const std::function<void(const IntervalReport&)>& on_interval = {});
    // Opens `n` dialogues and leaves them open after their first screen; `measure` is called
    // once all are open (or after `limit`); then releases them. Returns how many opened.
    std::size_t open_idle(std::size_t n, std::chrono::milliseconds limit,
                          const std::function<void()>& measure);
    std::size_t links() const { return links_.size(); }
    // For crash tests: one line "MSISDN ACKED PENDING" per subscriber whose access this run
    // changed: ACKED changes whose final screen arrived, PENDING 1 when a dialogue waits for
    // its final screen (its change may or may not be committed). False if it cannot write.
    bool write_ledger(const std::string& path) const;

  private:
    enum class Known : std::uint8_t { open, closed, unknown };
    struct Slot {
        std::optional<SubscriberDialogue> dialogue;
        std::size_t link = 0;
        std::size_t next_position = 0;  // in the walk (LoadSettings::order)
        std::uint8_t session = 0;
        Clock::time_point sent_at{};
        bool waiting = false;
        bool hold = false;  // open_idle: keep it open after the first screen
    };

    // SmppLoadServer::Handler
    void on_bound(std::size_t link, const smpp::BindRequest& bind) override;
    void on_link_closed(std::size_t link) override;
    std::uint32_t on_submit(std::size_t link, const smpp::SubmitSm& sm,
                            Clock::time_point now) override;
    void on_deliver_resp(std::size_t link, std::uint64_t token, std::uint32_t status,
                         Clock::time_point now) override;
    void on_bad_frame(std::size_t link, const smpp::DecodeError& error) override;

    std::size_t subscriber_at(std::size_t position) const;
    bool start_dialogue(std::size_t slot_index);
    void send_step(std::size_t slot_index, Clock::time_point now);
    void end_dialogue(std::size_t slot_index, bool lost);
    void count_password(const SubscriberDialogue& dialogue, Clock::duration took);
    void fail(std::size_t slot_index, std::uint64_t& counter, std::string why);
    void tick();
    void run_until(const std::function<bool()>& done, Clock::time_point deadline);

    boost::asio::io_context& io_;
    smpp::SmppLoadServer server_;
    LoadSettings s_;
    std::uint64_t scatter_ = 1;  // SubscriberOrder::scattered's multiplier (1: adjacent)
    boost::asio::steady_timer ticker_;
    std::vector<std::size_t> links_;            // bound link numbers, in bind order
    std::vector<std::size_t> sms_links_;        // bound as kSmsOnlySystemId (not in links_)
    std::vector<Known> known_;                  // by subscriber
    std::vector<std::int32_t> slot_of_;         // by subscriber: its slot while a dialogue is open
    std::vector<std::uint32_t> acked_changes_;  // by subscriber
    std::vector<bool> maybe_changed_;           // by subscriber: a lost final step
    std::vector<Slot> slots_;
    std::vector<std::size_t> idle_slots_;  // paced mode: slots waiting for their turn
    bool running_ = false, measuring_ = false;
    Clock::time_point paced_from_{};
    std::uint64_t paced_started_ = 0;
    std::size_t held_open_ = 0;
    double password_credit_ = 0;  // password_share accumulated over dialogues started
    LoadResult r_;
    std::vector<std::uint32_t> latencies_us_, password_latencies_us_;
};

}  // namespace ussdgw::cli::ussdbench
