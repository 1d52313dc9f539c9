// run_here.hpp - run a coroutine to its end on the calling thread and return its value: for
// code on threads of its own (the milter's worker threads, libmilter-style) that needs the
// coroutine-based cores (the SPF decider, the DKIM/DMARC verifiers) without handing its work
// to the daemon's io thread.
//
// The coroutine runs on an io_context of the calling thread (one per thread, reused), so work
// that completes at once (cached answers) needs no other thread; an operation of an object
// bound to another io_context (the resolver's strand on the daemon's loop) runs there and
// resumes the coroutine here. The value is taken by a completion handler run on that
// io_context, not through asio::use_future, whose promise is set on a thread of asio's
// system_context (two more thread wake-ups per call: bench/run_milter_dmarc.sh, the
// fourteenth session's note). Not for a thread that runs an io_context itself (the loop's
// own threads would block). An exception of the coroutine is rethrown to the caller.
// Untrusted input: none. Limits: one call at a time per thread (no nesting).
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace postseal::net {

// run_here - see above; `make` returns an asio::awaitable<T> (T not void).
template <typename F>
auto run_here(F&& make) {
  using Value = typename std::invoke_result_t<F>::value_type;
  thread_local asio::io_context local(1);
  std::optional<Value> value;
  std::exception_ptr error;
  asio::co_spawn(local, std::forward<F>(make), [&](std::exception_ptr e, Value v) {
    if (e) error = e;
    else value.emplace(std::move(v));
  });
  local.restart();
  local.run();
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

}  // namespace postseal::net
