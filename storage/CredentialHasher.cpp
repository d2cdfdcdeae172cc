#include "storage/CredentialHasher.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "engine/base/ThreadName.hpp"
#include "storage/HashProcess.hpp"

namespace ussdgw::storage {

namespace {
// The calling worker's child process, when the pool has them (HashPoolSettings::process).
thread_local HashProcess* worker_process = nullptr;

Result<std::string> hash_on_worker(const Secret& pw, const Argon2Params& params) {
    return worker_process ? worker_process->hash(pw, params) : hash_password(pw, params);
}
Result<bool> verify_on_worker(const std::string& stored, const Secret& pw) {
    if (worker_process) return worker_process->verify(stored, pw);
    return verify_password(stored, pw);
}

std::chrono::nanoseconds cpu_clock(clockid_t clock) {
    timespec ts{};
    if (::clock_gettime(clock, &ts) != 0) return std::chrono::nanoseconds(0);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// OthersCpu of the engine: the process's CPU time less the calling worker's.
std::chrono::nanoseconds others_cpu_time() {
    return cpu_clock(CLOCK_PROCESS_CPUTIME_ID) - cpu_clock(CLOCK_THREAD_CPUTIME_ID);
}

// The hash workers' nice value where SCHED_IDLE is refused (the engine's threads run at 0).
constexpr int kWorkerNice = 10;
// Weight of the newest run time in the moving average: about the last 8 hashes count.
constexpr double kAverageWeight = 1.0 / 8;
}  // namespace

CredentialHasher::CredentialHasher(HashPoolSettings settings, Argon2Params params, SteadyNow now,
                                   OthersCpu others_cpu)
    : settings_(settings),
      params_(params),
      now_(std::move(now)),
      others_cpu_(std::move(others_cpu)) {
    if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
    if (!others_cpu_) others_cpu_ = others_cpu_time;
    if (settings_.workers == 0) settings_.workers = 1;
    settings_.duty_percent = std::clamp(settings_.duty_percent, 1u, 100u);
    for (std::size_t i = 0; i < settings_.workers; ++i)
        threads_.emplace_back([this] {
            name_this_thread("ussdgw-hasher");
            // Below the event loop: while hashes saturate the cores, the loop still answers
            // at once (password requests wait for spare CPU, other requests do not).
            sched_param none{};
            if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) != 0)
                (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kWorkerNice);
            std::optional<HashProcess> child;
            if (!settings_.process.empty()) {
                child.emplace(settings_.process);
                worker_process = &*child;
            }
            run();
            worker_process = nullptr;
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
    rest_cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
}

std::chrono::nanoseconds CredentialHasher::estimated_wait_locked() const {
    // A free worker takes it at once; otherwise it starts after the queued ones and one more
    // have finished, the workers finishing one every average (rests included) / workers.
    if (!average_ns_ || queue_.size() + running_ < settings_.workers)
        return std::chrono::nanoseconds(0);
    const double ahead = static_cast<double>(queue_.size() + 1);
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(ahead * *average_ns_ / static_cast<double>(settings_.workers)));
}

void CredentialHasher::take_expired_locked(TimePoint now, std::vector<Job>& out) {
    while (!queue_.empty() && queue_.front().due < now) {
        out.push_back(std::move(queue_.front()));
        queue_.pop_front();
        ++refusals_.expired;
    }
}

Status CredentialHasher::submit(std::function<void()> task, std::function<void()> expired) {
    return admit({std::move(task), {}, std::move(expired), {}, false});
}

Status CredentialHasher::submit_measured(std::function<void()> work, std::function<void()> then,
                                         std::function<void()> expired) {
    return admit({std::move(work), std::move(then), std::move(expired), {}, true});
}

Status CredentialHasher::admit(Job job) {
    std::vector<Job> overdue;
    Status admitted = ok_status();
    {
        std::lock_guard lk(mu_);
        const TimePoint now = now_();
        take_expired_locked(now, overdue);
        if (stopping_) {
            admitted = fail("storage.busy", "the hash pool is stopping");
        } else if (queue_.size() >= settings_.queue_limit) {
            ++refusals_.queue_full;
            admitted = fail("storage.busy", "too many password hashes waiting");
        } else if (estimated_wait_locked() > settings_.max_wait) {
            ++refusals_.wait_estimate;
            admitted = fail("storage.busy", "password hashes would wait too long");
        } else {
            job.due = now + settings_.max_wait;
            queue_.push_back(std::move(job));
        }
    }
    if (admitted) cv_.notify_one();
    for (auto& late : overdue)
        if (late.expired) late.expired();
    return admitted;
}

std::chrono::nanoseconds CredentialHasher::rest_after(std::chrono::nanoseconds took,
                                                      std::chrono::nanoseconds others) const {
    if (took <= std::chrono::nanoseconds(0) || others <= std::chrono::nanoseconds(0))
        return std::chrono::nanoseconds(0);
    // u: the cores the other threads kept busy on average, at most one.
    const double u = std::min(1.0, static_cast<double>(others.count()) / took.count());
    return std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(took.count()) *
                                                              u * (100 - settings_.duty_percent) /
                                                              settings_.duty_percent));
}

void CredentialHasher::measured_locked(std::chrono::nanoseconds took) {
    const double ns = static_cast<double>(took.count());
    average_ns_ = average_ns_ ? *average_ns_ + kAverageWeight * (ns - *average_ns_) : ns;
}

void CredentialHasher::run() {
    for (;;) {
        Job job;
        std::vector<Job> overdue;
        {
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
            take_expired_locked(now_(), overdue);
            if (!queue_.empty()) {
                job = std::move(queue_.front());
                queue_.pop_front();
                ++running_;
            } else if (stopping_ && overdue.empty()) {
                return;
            }
        }
        for (auto& late : overdue)
            if (late.expired) late.expired();
        if (!job.run) continue;
        const TimePoint started = now_();
        const auto others_before = job.measured ? others_cpu_() : std::chrono::nanoseconds(0);
        job.run();
        std::chrono::nanoseconds rest{0};
        if (job.measured) {
            const auto took = now_() - started;
            rest = rest_after(took, others_cpu_() - others_before);
            std::lock_guard lk(mu_);
            measured_locked(took + rest);
            rested_ += rest;
        }
        if (job.then) job.then();
        std::unique_lock lk(mu_);
        // Still counted as running (not free for the estimate); stopping ends the rest. On a
        // condition variable of its own: a rest must not swallow the wake-up of a new job.
        if (rest > std::chrono::nanoseconds(0))
            rest_cv_.wait_for(lk, rest, [&] { return stopping_; });
        --running_;
    }
}

namespace {
// Runs `work` on the pool (measured: it is the hash) and hands its result to `done` through
// `post` (unmeasured); a refusal or an expiry hands "storage.busy" instead.
template <typename T>
void run_on_pool(CredentialHasher& pool, Post post, std::function<void(Result<T>)> done,
                 std::function<Result<T>()> work) {
    auto shared_done = std::make_shared<std::function<void(Result<T>)>>(std::move(done));
    auto busy = [post, shared_done](Error e) {
        dispatch(post, [shared_done, e = std::move(e)] { (*shared_done)(Failure{e}); });
    };
    auto result = std::make_shared<std::optional<Result<T>>>();
    auto queued = pool.submit_measured(
        [work = std::move(work), result]() mutable { result->emplace(work()); },
        [post, shared_done, result] {
            dispatch(post, [shared_done, result] { (*shared_done)(std::move(**result)); });
        },
        [busy] {
            busy(Error{"storage.busy", "waited too long for a hash worker"});
        });
    if (!queued) busy(queued.error());
}
}  // namespace

void CredentialHasher::hash(Secret password, Post post,
                            std::function<void(Result<std::string>)> done) {
    run_on_pool<std::string>(*this, std::move(post), std::move(done),
                             [this, pw = std::move(password)]() mutable {
                                 auto r = hash_on_worker(pw, params_);
                                 pw.wipe();
                                 return r;
                             });
}

void CredentialHasher::verify(std::string stored_hash, Secret password, Post post,
                              std::function<void(Result<bool>)> done) {
    run_on_pool<bool>(*this, std::move(post), std::move(done),
                      [h = std::move(stored_hash), pw = std::move(password)]() mutable {
                          auto match = verify_on_worker(h, pw);
                          pw.wipe();
                          return match;
                      });
}

std::size_t CredentialHasher::queue_depth() {
    std::lock_guard lk(mu_);
    return queue_.size();
}

std::chrono::nanoseconds CredentialHasher::estimated_wait() {
    std::lock_guard lk(mu_);
    return estimated_wait_locked();
}

std::optional<std::chrono::nanoseconds> CredentialHasher::average_run_time() {
    std::lock_guard lk(mu_);
    if (!average_ns_) return std::nullopt;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(*average_ns_));
}

HashRefusals CredentialHasher::refusals() {
    std::lock_guard lk(mu_);
    return refusals_;
}

std::chrono::nanoseconds CredentialHasher::rested() {
    std::lock_guard lk(mu_);
    return rested_;
}

}  // namespace ussdgw::storage
