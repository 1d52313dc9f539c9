// rate_limit_test.cpp - failure report rate limits (core/dmarc_report/rate_limit.hpp): per
// address and hour, the global cap, a new hour, two limiters sharing one store (two MX hosts),
// a failing store refusing (fail closed), and the store's entries bounded.
#include "core/dmarc_report/rate_limit.hpp"

#include "core/state/memory_store.hpp"
#include "tests/unit/state/flaky_store.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report {
namespace {

constexpr std::int64_t kNow = 1'700'000'000 / kWindowSeconds * kWindowSeconds + 10;

TEST(FailureRateLimit, PerAddressPerHour) {
  FixedClock clock(kNow);
  state::MemoryStore store(clock, 1000);
  FailureRateLimiter limiter(store, clock, {.per_address = 2, .global = 100});
  EXPECT_EQ(limiter.admit("ruf@reports.test"), RateDecision::allowed);
  EXPECT_EQ(limiter.admit("RUF@reports.test"), RateDecision::allowed);  // one address
  EXPECT_EQ(limiter.admit("ruf@reports.test"), RateDecision::address_limit);
  EXPECT_EQ(limiter.admit("other@reports.test"), RateDecision::allowed);
  clock.advance(kWindowSeconds);
  EXPECT_EQ(limiter.admit("ruf@reports.test"), RateDecision::allowed);
}

TEST(FailureRateLimit, GlobalCap) {
  FixedClock clock(kNow);
  state::MemoryStore store(clock, 1000);
  FailureRateLimiter limiter(store, clock, {.per_address = 10, .global = 3});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(limiter.admit("a" + std::to_string(i) + "@reports.test"), RateDecision::allowed);
  EXPECT_EQ(limiter.admit("z@reports.test"), RateDecision::global_limit);
}

TEST(FailureRateLimit, SharedStoreSharesTheLimit) {
  FixedClock clock(kNow);
  state::MemoryStore store(clock, 1000);
  FailureRateLimiter mx1(store, clock, {.per_address = 2, .global = 100});
  FailureRateLimiter mx2(store, clock, {.per_address = 2, .global = 100});
  EXPECT_EQ(mx1.admit("ruf@reports.test"), RateDecision::allowed);
  EXPECT_EQ(mx2.admit("ruf@reports.test"), RateDecision::allowed);
  EXPECT_EQ(mx1.admit("ruf@reports.test"), RateDecision::address_limit);
}

TEST(FailureRateLimit, StoreFailureRefuses) {
  FixedClock clock(kNow);
  state::test::FlakyStore store(clock);
  store.failing = state::StoreError::timeout;
  FailureRateLimiter limiter(store, clock, {});
  EXPECT_EQ(limiter.admit("ruf@reports.test"), RateDecision::store_failed);
}

TEST(FailureRateLimit, EntriesBoundedByTheStore) {
  FixedClock clock(kNow);
  state::MemoryStore store(clock, 50);
  FailureRateLimiter limiter(store, clock, {.per_address = 1, .global = 100000});
  for (int i = 0; i < 5000; ++i) limiter.admit("r" + std::to_string(i) + "@reports.test");
  auto n = store.count("dmarc:f:");
  ASSERT_TRUE(n);
  EXPECT_LE(*n, 50u);
  clock.advance(3 * kWindowSeconds);  // old hours expire
  store.expire();
  EXPECT_EQ(*store.count("dmarc:f:"), 0u);
}

}  // namespace
}  // namespace postseal::dmarc_report
