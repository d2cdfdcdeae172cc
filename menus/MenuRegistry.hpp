// The current menu set of a running engine, reloadable without a restart. `reload()` loads
// the directory into a new set and swaps it in only when it is valid; on error the old set
// stays and the errors are returned. Dialogues keep the shared_ptr they started with, so a
// dialogue in flight finishes on its own version while new dialogues get the new one.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "menus/MenuLoader.hpp"

namespace ussdgw::menus {

class MenuRegistry {
  public:
    explicit MenuRegistry(std::string directory);

    // Loads the directory; on success the new set becomes current and its version is returned.
    Result<std::uint64_t, std::vector<TomlError>> reload();
    // The current set (null before the first successful load).
    MenuSetPtr current() const;
    const std::string& directory() const { return directory_; }

  private:
    std::string directory_;
    mutable std::mutex mutex_;
    MenuSetPtr current_;
    std::uint64_t next_version_ = 1;
};

}  // namespace ussdgw::menus
