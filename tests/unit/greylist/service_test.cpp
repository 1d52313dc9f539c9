// service_test.cpp - greylisting of one daemon (verifier/greylist/service.hpp): a reloaded
// service greylists in the running store with its own options (adopt_store), so a triplet
// deferred before a SIGHUP is judged by the reloaded delay, and the running one is unchanged.
#include "verifier/greylist/service.hpp"

#include "core/state/memory_store.hpp"

#include <gtest/gtest.h>

namespace postseal::greylist {
namespace {

constexpr std::int64_t kStart = 1700000000;

Request request() {
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.10");
  r.client_name = "unknown";
  r.sender = "a@sender.example";
  r.recipient = "r@dest.example";
  return r;
}

TEST(GreylistService, AReloadedServiceKeepsTheStoreAndTakesItsOwnOptions) {
  FixedClock clock(kStart);
  Service running;
  running.store = std::make_shared<state::MemoryStore>(clock, 1000);
  running.greylister = std::make_unique<Greylister>(*running.store, clock, Options{});
  ASSERT_EQ(running.greylister->check(request()).action, Action::defer);

  Service reloaded;
  reloaded.options.delay = 60;
  reloaded.defer_text = "Come back in %s s";
  adopt_store(reloaded, running, clock);
  ASSERT_NE(reloaded.greylister, nullptr);
  EXPECT_EQ(reloaded.store, running.store);
  EXPECT_EQ(reloaded.greylister->options().delay, 60);

  clock.advance(60);
  EXPECT_EQ(running.greylister->check(request()).seconds, kDefaultDelay - 60)
      << "the running options stay";
  auto outcome = reloaded.greylister->check(request());
  EXPECT_EQ(outcome.action, Action::pass) << "first seen before the reload, in the same store";
  EXPECT_EQ(outcome.seconds, 60);
}

TEST(GreylistService, NoRunningStoreNoGreylister) {
  FixedClock clock(kStart);
  Service running, reloaded;
  adopt_store(reloaded, running, clock);
  EXPECT_EQ(reloaded.greylister, nullptr);
}

}  // namespace
}  // namespace postseal::greylist
