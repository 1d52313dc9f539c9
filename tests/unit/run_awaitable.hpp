// run_awaitable.hpp - unit tests' way to run a coroutine to its end: a fresh io_context, the
// awaitable's value returned, its exception rethrown.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <exception>
#include <utility>

namespace postseal::test {

// run - the value of `task`.
template <typename T>
T run(asio::awaitable<T> task) {
  asio::io_context io;
  T out{};
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
  });
  io.run();
  return out;
}

}  // namespace postseal::test
