// Lifetime: how an object with a single owner keeps its asynchronous callbacks from running after
// it is gone. The engine's services (Engine, UssdService, SmsService, SmppSmsIngress, HttpServer,
// HttpUssdIngress, CabinetApi, storage's SharedReads) are plain members with one owner; they hand
// callbacks that capture `this` to timers, to storage (whose results are posted back to the loop)
// and to other services, and those callbacks can arrive after the service was destroyed. Each such
// service holds one `Lifetime` as its LAST member (so it ends first, before any other member is
// torn down) and wraps every such callback in `guard()`:
//
//     timer_.async_wait(lifetime_.guard([this](boost::system::error_code ec) { ... }));
//
// The Lifetime ends when it is destroyed; a guarded callback that runs after that does
// nothing (and returns nothing: guard is for callbacks that return void).
//
// Threads: a guarded callback may be copied, carried and destroyed on any thread (a storage
// thread posting a result back to the loop), and its check is thread-safe against the owner
// ending. guard() reads the owner's Lifetime, so call it on the owner's thread; code that
// wraps callbacks on another thread takes a `watch()` on the owner's thread and calls its
// guard() wherever it is. Calling a guarded callback still belongs on the owner's thread (the
// loop): one that passed the check while the owner is being destroyed on another thread would
// use a dying object, which no token can prevent. So completions from other threads are
// posted to the loop and checked there (see Engine's post for storage).
//
// When to use which idiom:
// - One owner, destroyed by that owner (a service, a member of Engine): `Lifetime`.
// - Shared-owned I/O objects whose life is their work in flight (an SMPP connection, the
//   SMPP server and client link, an HTTP connection): `create()` + enable_shared_from_this;
//   operations with buffers in flight hold shared_from_this(), other handlers
//   weak_from_this() (see the lifetime paragraph of smpp/SmppConnection.hpp).
#pragma once

#include <functional>
#include <memory>
#include <utility>

namespace ussdgw {

// A callback that does nothing once the Lifetime it was guarded by has ended.
template <typename Fn>
class Guarded {
  public:
    Guarded(std::weak_ptr<const void> alive, Fn fn)
        : alive_(std::move(alive)), fn_(std::move(fn)) {}

    template <typename... Args>
    void operator()(Args&&... args) {
        if (!alive_.expired()) std::invoke(fn_, std::forward<Args>(args)...);
    }
    template <typename... Args>
    void operator()(Args&&... args) const {
        if (!alive_.expired()) std::invoke(fn_, std::forward<Args>(args)...);
    }

  private:
    std::weak_ptr<const void> alive_;
    Fn fn_;
};

// A copy of a Lifetime's token that may travel: taken on the owner's thread, it can be copied
// to and guard callbacks on any thread (see "Threads" above).
class LifetimeWatch {
  public:
    explicit LifetimeWatch(std::weak_ptr<const void> alive) : alive_(std::move(alive)) {}

    // `fn` wrapped so that it does nothing once the watched Lifetime has ended.
    template <typename Fn>
    Guarded<std::decay_t<Fn>> guard(Fn&& fn) const {
        return Guarded<std::decay_t<Fn>>(alive_, std::forward<Fn>(fn));
    }

  private:
    std::weak_ptr<const void> alive_;
};

class Lifetime {
  public:
    Lifetime() = default;
    Lifetime(const Lifetime&) = delete;
    Lifetime& operator=(const Lifetime&) = delete;

    // `fn` wrapped so that it does nothing once this Lifetime has ended. Call on the owner's
    // thread; elsewhere use a watch() taken there.
    template <typename Fn>
    Guarded<std::decay_t<Fn>> guard(Fn&& fn) const {
        return watch().guard(std::forward<Fn>(fn));
    }
    LifetimeWatch watch() const { return LifetimeWatch(token_); }

  private:
    std::shared_ptr<const int> token_ = std::make_shared<const int>(0);
};

}  // namespace ussdgw
