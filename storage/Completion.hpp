// How storage hands results back. Storage works on its own threads (the group-commit writer,
// the hash workers); a caller gets each result through a `Post` it supplies, typically
// "post this to my event loop", so that callbacks run on the caller's thread. A `Done<T>` is
// the callback that receives a Result.
#pragma once

#include <functional>

#include "engine/base/Result.hpp"

namespace ussdgw::storage {

// Runs `fn` on the thread that should see a result (an event loop), or inline when empty.
using Post = std::function<void(std::function<void()>)>;

template <typename T>
using Done = std::function<void(Result<T>)>;

// Runs `fn` through `post`, or at once when there is no Post.
inline void dispatch(const Post& post, std::function<void()> fn) {
    if (post)
        post(std::move(fn));
    else
        fn();
}

}  // namespace ussdgw::storage
