// counting_store_test.cpp - core/state/counting_store.hpp: every operation that gives no answer
// counts once in postseal_store_errors_total{backend,error}, answers and errors reach the
// caller unchanged, and open_store counts for every backend it opens.
#include "core/state/counting_store.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"
#include "core/state/store_factory.hpp"
#include "flaky_store.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace postseal::state {
namespace {

double errors(std::string_view backend, std::string_view error) {
  return metrics::families().store_errors.value({backend, error});
}

class CountingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics::enable();
    auto inner = std::make_unique<test::FlakyStore>(clock_);
    flaky_ = inner.get();
    store_ = std::make_unique<CountingStore>(std::move(inner), "redis");
  }
  FixedClock clock_{1'700'000'000};
  test::FlakyStore* flaky_ = nullptr;
  std::unique_ptr<CountingStore> store_;
};

TEST_F(CountingStoreTest, AnswersPassUncounted) {
  const double before = errors("redis", "unavailable") + errors("redis", "timeout");
  ASSERT_TRUE(store_->put("k", "v", 60).has_value());
  EXPECT_EQ(store_->get("k").value(), "v");
  EXPECT_EQ(store_->increment("n", 2, 60).value(), 2);
  EXPECT_EQ(store_->name(), "flaky");
  EXPECT_EQ(errors("redis", "unavailable") + errors("redis", "timeout"), before);
}

// put_if_absent_or_get reaches the inner store as one call (the backend's one round trip),
// not as the default's put_if_absent then get, and its failure counts once.
TEST_F(CountingStoreTest, PutIfAbsentOrGetIsOneInnerCall) {
  ASSERT_TRUE(store_->put("k", "v", 60).has_value());
  const int calls = flaky_->calls;
  auto claim = store_->put_if_absent_or_get("k", "w", 60);
  ASSERT_TRUE(claim.has_value());
  EXPECT_FALSE(claim->set);
  EXPECT_EQ(claim->existing, "v");
  EXPECT_EQ(flaky_->calls, calls + 1);
  const double before = errors("redis", "timeout");
  flaky_->failing = StoreError::timeout;
  EXPECT_EQ(store_->put_if_absent_or_get("k", "w", 60).error(), StoreError::timeout);
  EXPECT_EQ(errors("redis", "timeout"), before + 1);
}

TEST_F(CountingStoreTest, EachFailureCountsOnceUnderItsError) {
  struct Case {
    StoreError error;
    std::string_view label;
  };
  for (const auto& c :
       {Case{StoreError::unavailable, "unavailable"}, Case{StoreError::timeout, "timeout"},
        Case{StoreError::bad_reply, "bad_reply"}}) {
    const double before = errors("redis", c.label);
    flaky_->failing = c.error;
    auto got = store_->get("k");
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error(), c.error) << "the caller sees the error as it was (and fails open)";
    auto put = store_->put_if_absent("k", "v", 60);
    ASSERT_FALSE(put.has_value());
    EXPECT_EQ(put.error(), c.error);
    EXPECT_EQ(errors("redis", c.label), before + 2) << c.label;
  }
  flaky_->failing.reset();
  EXPECT_TRUE(store_->get("k").has_value());
}

TEST(OpenStoreCounts, EveryBackendIsCountedUnderItsName) {
  metrics::enable();
  FixedClock clock(1'700'000'000);
  Options o;
  o.backend = Backend::memory;
  auto store = open_store(o, clock);
  const double before = errors("memory", "bad_input");
  auto got = store->put(std::string(kMaxKeyOctets + 1, 'k'), "v", 60);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error(), StoreError::bad_input);
  EXPECT_EQ(errors("memory", "bad_input"), before + 1);
}

}  // namespace
}  // namespace postseal::state
