#include "menus/MenuRegistry.hpp"

#include "engine/base/Log.hpp"

namespace ussdgw::menus {

MenuRegistry::MenuRegistry(std::string directory) : directory_(std::move(directory)) {}

Result<std::uint64_t, std::vector<TomlError>> MenuRegistry::reload() {
    std::uint64_t version;
    {
        std::lock_guard lock(mutex_);
        version = next_version_++;
    }
    // Parse outside the lock: dialogues keep starting on the current set meanwhile.
    auto loaded = load_menu_directory(directory_, version);
    if (!loaded) {
        for (const auto& e : loaded.error())
            log::error("menus.reload_failed", "directory", directory_, "error", e.what());
        return Unexpected<std::vector<TomlError>>{loaded.error()};
    }
    std::lock_guard lock(mutex_);
    // A slower earlier reload must not replace a newer set.
    if (!current_ || current_->version < version) current_ = *loaded;
    log::info("menus.loaded", "directory", directory_, "version", version, "screens",
              (*loaded)->screens.size());
    return version;
}

MenuSetPtr MenuRegistry::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

}  // namespace ussdgw::menus
