// engine/LinkLoop: an event loop on a thread of its own that serves some of the client links
// whose only role is ussd ([ussd] loop_threads spreads them over such loops, round-robin in
// the order of the links). Each loop holds all that those links' dialogues need: the links
// themselves (an smpp::SmppService of just those links), a UssdStack, and a
// storage::LoopCabinet (a read connection of its own; changes still go to the storage's one
// group-commit writer and Argon2id work to its one hash pool). A dialogue lives on its link's
// loop from dial to final screen, and a subscriber's dialogues on one link are one ingress
// there, so "one USSD session per phone" holds as on the main loop. What crosses threads is
// posted: the SMS service is kicked on the engine's loop after a password was issued, and
// `stop` reports back there. The engine reads a loop's counters (metrics) by a bounded hop
// onto the loop's thread and its links' bound state (readiness) under a lock.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/UssdStack.hpp"
#include "smpp/PduTally.hpp"
#include "smpp/SmppService.hpp"
#include "storage/Storage.hpp"

namespace ussdgw {

class LinkLoop : public smpp::SmppApplication {
  public:
    // Runs `fn` on the engine's main loop (from any thread).
    using ToMain = std::function<void(std::function<void()>)>;

    // `wiring.password_issued` is run on the main loop. Nothing runs before start().
    LinkLoop(std::string name, std::vector<smpp::ClientLinkConfig> links, storage::Storage& storage,
             UssdStack::Wiring wiring, ToMain to_main);
    // Stops the thread (whatever it was doing) and closes everything.
    ~LinkLoop() override;
    LinkLoop(const LinkLoop&) = delete;
    LinkLoop& operator=(const LinkLoop&) = delete;

    // Opens the loop's read connection, starts its links and then its thread. Throws
    // std::runtime_error naming what failed.
    void start();
    // On the loop: its open dialogues end with final screens, then its links unbind; `done`
    // runs on the main loop when they are closed. The thread runs on until destruction.
    void stop(std::function<void()> done);

    bool serves(const std::string& link) const { return bound_.contains(link); }
    // Whether `link` is bound now; from any thread.
    bool bound(const std::string& link) const;

    struct LinkStats {
        std::string name;
        bool bound = false;
        smpp::PduTally tally;
    };
    struct Stats {
        UssdStats ussd;
        std::vector<LinkStats> links;
    };
    // The loop's counters, copied on its thread (the caller waits for that, at most a second;
    // empty if the loop did not answer in time).
    Stats stats();

    // smpp::SmppApplication, on the loop's thread.
    void on_link_request(const smpp::PeerInfo& peer, const smpp::Pdu& request,
                         smpp::SmppReply reply) override;
    void on_link_state(const std::string& link, bool bound) override;

  private:
    Stats collect() const;

    std::string name_;
    storage::Storage& storage_;
    UssdStack::Wiring wiring_;
    ToMain to_main_;
    smpp::SmppConfig links_;
    // Shared with the storage's Posts, which may outlive this loop (queued commits).
    std::shared_ptr<boost::asio::io_context> io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::unique_ptr<storage::LoopCabinet> cabinet_;
    std::unique_ptr<smpp::SmppService> smpp_;
    std::unique_ptr<UssdStack> stack_;
    mutable std::mutex bound_mutex_;
    std::map<std::string, bool> bound_;  // by link name; keys fixed at construction
    std::thread thread_;
};

}  // namespace ussdgw
