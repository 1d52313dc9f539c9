// pending_writes_test.cpp - PendingWrites: the latest write of a key wins, batches hold at
// most kMaxBatchWrites, settling forgets only the writes not rewritten since their batch.
#include "core/state/pending_writes.hpp"

#include <gtest/gtest.h>

namespace postseal::state::test {
namespace {

TEST(PendingWrites, LatestWriteOfAKeyWins) {
  PendingWrites p;
  p.add("k", "1", 10, true);
  p.add("k", "2", 20, false);
  ASSERT_NE(p.find("k"), nullptr);
  EXPECT_EQ(p.find("k")->value, "2");
  EXPECT_EQ(p.find("k")->expires, 20);
  EXPECT_FALSE(p.find("k")->claim);
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.find("other"), nullptr);
}

TEST(PendingWrites, SettleKeepsWhatWasRewrittenMeanwhile) {
  PendingWrites p;
  p.add("a", "1", 0, true);
  p.add("b", "1", 0, true);
  auto batch = p.batch();
  ASSERT_EQ(batch.size(), 2u);
  p.add("b", "2", 0, false);  // rewritten while its batch was committed
  p.settle(batch);
  EXPECT_EQ(p.find("a"), nullptr);
  ASSERT_NE(p.find("b"), nullptr);
  EXPECT_EQ(p.find("b")->value, "2");
}

TEST(PendingWrites, BatchesAndTheLimit) {
  PendingWrites p;
  for (std::size_t i = 0; i < kMaxPendingWrites; ++i) {
    EXPECT_FALSE(p.full());
    p.add("k" + std::to_string(i), "v", 0, true);
  }
  EXPECT_TRUE(p.full());
  auto batch = p.batch();
  EXPECT_EQ(batch.size(), kMaxBatchWrites);
  p.settle(batch);
  EXPECT_EQ(p.size(), kMaxPendingWrites - kMaxBatchWrites);
  EXPECT_FALSE(p.full());
}

}  // namespace
}  // namespace postseal::state::test
