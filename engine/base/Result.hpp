// engine/base: the small vocabulary every layer shares.
//
// `Result<T>` is the expected-style return type of codec and domain code: a value or an
// `Error` (a machine-readable code plus a human message). Exceptions are reserved for
// start-up and configuration loading; error_code is used at the I/O boundary. `Secret`
// wraps passwords and PUK codes so that they cannot be formatted into logs by accident,
// and `Log` writes structured (logfmt) lines.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ussdgw {

// An error as a domain or codec function reports it. `code` is a short stable token
// (for example "frame.too_short", "puk.locked"); `message` is for people, never parsed.
// A refusal that a caller shows to someone carries its data in fields of its own.
struct Error {
    std::string code;
    std::string message;
    std::optional<int> attempts_left{};      // wrong entries still allowed before a lockout
    std::optional<std::int64_t> until_ms{};  // when a lockout ends (ms since the Unix epoch)

    friend bool operator==(const Error&, const Error&) = default;
};

// Marker used to construct a failed Result: `return fail("code", "message");` or, for a
// Result with its own error type, `return Unexpected<DecodeError>{...};`.
template <typename E>
struct Unexpected {
    E error;
};
using Failure = Unexpected<Error>;

inline Failure fail(std::string code, std::string message = {}) {
    return Failure{Error{std::move(code), std::move(message)}};
}

template <typename T, typename E = Error>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Unexpected<E> f) : v_(std::in_place_index<1>, std::move(f.error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const {
        assert(!ok());
        return std::get<1>(v_);
    }

  private:
    std::variant<T, E> v_;
};

// Result of an operation that yields nothing but success or an error.
struct Ok {
    friend bool operator==(const Ok&, const Ok&) = default;
};
using Status = Result<Ok>;
inline Status ok_status() {
    return Ok{};
}

}  // namespace ussdgw
