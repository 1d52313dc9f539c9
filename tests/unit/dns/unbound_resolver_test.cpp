// unbound_resolver_test.cpp - where an UnboundResolver lookup resumes its caller: the resolver
// lives on one io_context (the daemon's loop), the caller on another run by a thread of its own
// (a session thread, core/net/session_threads.hpp); the lookup must resume the caller there.
// The forwarder is a UDP socket on loopback that never answers, so the lookup ends in the
// resolver's own timeout (no network, no DNS server).
#include "core/dns/unbound_resolver.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/ip/udp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace postseal::dns {
namespace {

TEST(UnboundResolver, LookupResumesTheCallerOnItsOwnExecutor) {
  asio::io_context loop, session;
  asio::ip::udp::socket silent(loop, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  UnboundResolver resolver(loop, UnboundOptions{{"127.0.0.1@" + std::to_string(silent.local_endpoint().port())},
                                                std::chrono::milliseconds(200)});
  auto loop_work = asio::make_work_guard(loop);
  std::thread loop_thread([&] { loop.run(); });
  std::promise<std::pair<std::thread::id, Rcode>> resumed;
  asio::co_spawn(session, [&]() -> asio::awaitable<void> {
    Answer answer = co_await resolver.lookup("example.test", RrType::txt);
    resumed.set_value({std::this_thread::get_id(), answer.rcode});
  }, asio::detached);
  std::thread session_thread([&] { session.run(); });
  const auto session_id = session_thread.get_id(), loop_id = loop_thread.get_id();
  auto future = resumed.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const auto [thread, rcode] = future.get();
  session_thread.join();
  EXPECT_EQ(thread, session_id);
  EXPECT_NE(thread, loop_id);
  EXPECT_TRUE(rcode == Rcode::timeout || rcode == Rcode::servfail);
  loop_work.reset();
  loop.stop();
  loop_thread.join();
}

}  // namespace
}  // namespace postseal::dns
