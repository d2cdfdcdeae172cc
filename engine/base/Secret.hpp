// A password or PUK code held in memory. It never formats as its value: logging one
// prints "***". Memory is wiped on destruction.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ussdgw {

class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret(Secret&&) noexcept = default;
    Secret& operator=(const Secret&) = default;
    Secret& operator=(Secret&&) noexcept = default;
    ~Secret() { wipe(); }

    // The clear value, for hashing and for the one SMS that carries a new password.
    std::string_view reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    std::size_t size() const { return value_.size(); }

    void wipe() {
        volatile char* p = value_.data();
        for (std::size_t i = 0; i < value_.size(); ++i)
            p[i] = 0;
        value_.clear();
    }

  private:
    std::string value_;
};

}  // namespace ussdgw

template <>
struct fmt::formatter<ussdgw::Secret> : fmt::formatter<std::string_view> {
    template <typename Ctx>
    auto format(const ussdgw::Secret&, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format("***", ctx);
    }
};
