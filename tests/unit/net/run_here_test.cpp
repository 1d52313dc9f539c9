// run_here_test.cpp - core/net/run_here.hpp: the coroutine runs on the calling thread (not on
// the thread of another io_context, as a hand-off would), an operation completing on another
// io_context's thread resumes it here, its value and its exception reach the caller, and a
// thread can call it again and again.
#include "core/net/run_here.hpp"

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace postseal::net {
namespace {

TEST(RunHere, TheCoroutineRunsOnTheCallingThread) {
  const auto caller = std::this_thread::get_id();
  auto ran_on = run_here([]() -> asio::awaitable<std::thread::id> {
    co_return std::this_thread::get_id();
  });
  EXPECT_EQ(ran_on, caller);
}

// A daemon's loop on its own thread, as the resolver's strand is: the coroutine awaits work
// done there and goes on on the calling thread.
TEST(RunHere, WorkOnAnotherLoopResumesTheCoroutineHere) {
  asio::io_context loop;
  auto guard = asio::make_work_guard(loop);
  std::thread loop_thread([&] { loop.run(); });
  const auto caller = std::this_thread::get_id();
  struct Seen {
    std::thread::id there, after;
  };
  for (int i = 0; i < 3; ++i) {  // the thread's io_context is reused
    auto seen = run_here([&]() -> asio::awaitable<Seen> {
      Seen s;
      s.there = co_await asio::co_spawn(
          loop, []() -> asio::awaitable<std::thread::id> { co_return std::this_thread::get_id(); },
          asio::use_awaitable);
      s.after = std::this_thread::get_id();
      co_return s;
    });
    EXPECT_EQ(seen.there, loop_thread.get_id());
    EXPECT_EQ(seen.after, caller);
  }
  guard.reset();
  loop_thread.join();
}

TEST(RunHere, AnExceptionReachesTheCaller) {
  EXPECT_THROW(run_here([]() -> asio::awaitable<int> {
                 throw std::runtime_error("no");
                 co_return 1;
               }),
               std::runtime_error);
  EXPECT_EQ(run_here([]() -> asio::awaitable<int> { co_return 7; }), 7);  // usable after it
}

}  // namespace
}  // namespace postseal::net
