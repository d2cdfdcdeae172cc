#include "storage/CredentialHasher.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace ussdgw::storage {

namespace {
// The hash workers' nice value where SCHED_IDLE is refused (the engine's threads run at 0).
constexpr int kWorkerNice = 10;
}  // namespace

CredentialHasher::CredentialHasher(std::size_t workers, std::size_t queue_limit,
                                   Argon2Params params)
    : params_(params), queue_limit_(queue_limit) {
    if (workers == 0) workers = 1;
    for (std::size_t i = 0; i < workers; ++i)
        threads_.emplace_back([this] {
            // Below the event loop: while hashes saturate the cores, the loop still answers
            // at once (logins wait for spare CPU, other requests do not).
            sched_param none{};
            if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) != 0)
                (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWorkerNice);
            run();
        });
}

CredentialHasher::~CredentialHasher() {
    shutdown();
}

void CredentialHasher::shutdown() {
    {
        std::lock_guard lk(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

bool CredentialHasher::submit(std::function<void()> task) {
    {
        std::lock_guard lk(mu_);
        if (stopping_ || queue_.size() >= queue_limit_) return false;
        queue_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

void CredentialHasher::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task();
    }
}

void CredentialHasher::hash(Secret password, Post post,
                            std::function<void(Result<std::string>)> done) {
    auto shared_done = std::make_shared<std::function<void(Result<std::string>)>>(std::move(done));
    bool queued = submit([this, pw = std::move(password), post, shared_done]() mutable {
        auto r = hash_password(pw, params_);
        pw.wipe();
        dispatch(post, [shared_done, r = std::move(r)]() mutable { (*shared_done)(std::move(r)); });
    });
    if (!queued)
        dispatch(post, [shared_done] {
            (*shared_done)(fail("storage.busy", "too many password hashes waiting"));
        });
}

void CredentialHasher::verify(std::string stored_hash, Secret password, Post post,
                              std::function<void(Result<bool>)> done) {
    auto shared_done = std::make_shared<std::function<void(Result<bool>)>>(std::move(done));
    bool queued =
        submit([h = std::move(stored_hash), pw = std::move(password), post, shared_done]() mutable {
            bool match = verify_password(h, pw);
            pw.wipe();
            dispatch(post, [shared_done, match] { (*shared_done)(Result<bool>(match)); });
        });
    if (!queued)
        dispatch(post, [shared_done] {
            (*shared_done)(fail("storage.busy", "too many password checks waiting"));
        });
}

std::size_t CredentialHasher::queue_depth() {
    std::lock_guard lk(mu_);
    return queue_.size();
}

}  // namespace ussdgw::storage
