// Argon2id in a child process (the engine's own executable, `ussdgw hash-worker`): hashes
// that the in-process primitives verify and the other way round, a wrong password, the
// child's death failing the request in flight and a new child serving the next one, and the
// pool's workers hashing through their children.
#include "storage/HashProcess.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <future>

#include "storage/CredentialHasher.hpp"

namespace hash_process_test {

using namespace ussdgw;
using namespace ussdgw::storage;

namespace {
const std::vector<std::string> kWorker = {USSDGW_BINARY_DIR "/ussdgw", "hash-worker"};
const Argon2Params kCheap{1, 8192};
}  // namespace

TEST_CASE("HashProcess: the child's hashes are Argon2id hashes, checked both ways") {
    HashProcess child(kWorker);
    auto h = child.hash(Secret("Cabinet-2026"), kCheap);
    REQUIRE(h.ok());
    CHECK(h->rfind("$argon2id$", 0) == 0);
    CHECK(child.pid() > 0);
    CHECK(verify_password(*h, Secret("Cabinet-2026")));  // in-process check of its hash
    auto local = hash_password(Secret("other"), kCheap);
    REQUIRE(local.ok());
    auto yes = child.verify(*local, Secret("other"));
    REQUIRE(yes.ok());
    CHECK(*yes);
    auto no = child.verify(*local, Secret("wrong"));
    REQUIRE(no.ok());
    CHECK_FALSE(*no);
    auto junk = child.verify("not a hash", Secret("other"));
    REQUIRE(junk.ok());
    CHECK_FALSE(*junk);
}

TEST_CASE("HashProcess: a child that died fails the request; the next one starts a new child") {
    HashProcess child(kWorker);
    REQUIRE(child.hash(Secret("a"), kCheap).ok());
    const pid_t first = child.pid();
    REQUIRE(first > 0);
    REQUIRE(::kill(first, SIGKILL) == 0);
    auto lost = child.hash(Secret("b"), kCheap);
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == "storage.hash");
    CHECK(child.pid() == -1);
    auto again = child.hash(Secret("c"), kCheap);
    REQUIRE(again.ok());
    CHECK(child.pid() > 0);
    CHECK(child.pid() != first);
    CHECK(verify_password(*again, Secret("c")));
}

TEST_CASE("HashProcess: a command that cannot run fails the request, not the caller") {
    HashProcess child({"/nonexistent/ussdgw", "hash-worker"});
    auto h = child.hash(Secret("a"), kCheap);
    CHECK_FALSE(h.ok());
}

TEST_CASE("HashProcess: the child ends when the HashProcess does") {
    pid_t pid = -1;
    {
        HashProcess child(kWorker);
        REQUIRE(child.hash(Secret("a"), kCheap).ok());
        pid = child.pid();
    }
    // Reaped by the destructor: the pid is no child of ours any more.
    CHECK(::waitpid(pid, nullptr, WNOHANG) == -1);
}

TEST_CASE("CredentialHasher: workers with child processes hash and verify through them") {
    HashPoolSettings settings{2, 10, std::chrono::seconds(60), 100, kWorker};
    CredentialHasher pool(settings, kCheap);
    std::promise<Result<std::string>> hashed;
    pool.hash(Secret("pool-secret"), nullptr, [&](Result<std::string> r) { hashed.set_value(r); });
    auto h = hashed.get_future().get();
    REQUIRE(h.ok());
    std::promise<Result<bool>> checked;
    pool.verify(*h, Secret("pool-secret"), nullptr, [&](Result<bool> r) { checked.set_value(r); });
    auto ok = checked.get_future().get();
    REQUIRE(ok.ok());
    CHECK(*ok);
}

}  // namespace hash_process_test
