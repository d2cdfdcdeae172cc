#include "storage/LoopCabinet.hpp"

namespace ussdgw::storage {

Result<std::unique_ptr<Database>> open_read_connection(const std::string& path,
                                                       SyncMode synchronous) {
    Database::Options o;
    o.synchronous = synchronous;
    o.read_only = true;
    o.create = false;
    return Database::open(path, o);
}

Result<std::unique_ptr<LoopCabinet>> LoopCabinet::open(const StorageConfig& cfg,
                                                       const StorageKey& key,
                                                       GroupCommitter& committer,
                                                       CredentialHasher& hasher, WallClock clock,
                                                       Post post) {
    auto reader = open_read_connection(cfg.database_path, cfg.synchronous);
    if (!reader) return Failure{reader.error()};
    std::unique_ptr<LoopCabinet> c(new LoopCabinet());
    c->reader_ = std::move(*reader);
    c->reads_ = std::make_unique<SharedReads>(*c->reader_, committer, post);
    c->cabinet_ = std::make_unique<CabinetService>(cfg, key, *c->reads_, committer, hasher,
                                                   std::move(clock), std::move(post));
    return c;
}

LoopCabinet::~LoopCabinet() {
    cabinet_.reset();
    reads_.reset();  // ends its snapshot before the connection closes
}

}  // namespace ussdgw::storage
