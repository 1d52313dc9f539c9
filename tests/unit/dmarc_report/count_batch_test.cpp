// count_batch_test.cpp - the recorder's batched mode (recorder.hpp, count_batch.hpp): a row's
// first message goes through the store, the next ones are added up in memory and written by
// flush() (the flush thread, the recorder's end); no store call for a known row; a failed
// write counts its messages as lost; the set of known rows stays bounded.
#include "core/dmarc_report/aggregate.hpp"
#include "core/dmarc_report/count_batch.hpp"
#include "core/dmarc_report/recorder.hpp"
#include "core/dmarc_report/store_keys.hpp"
#include "core/util/log.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"
#include "tests/unit/state/flaky_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace postseal::dmarc_report::test {
namespace {

using namespace std::chrono_literals;

// kBatched - batched with a flush interval no test waits for: only flush() and the
// destructor write.
constexpr Limits kBatched{.flush_interval = std::chrono::hours(1)};

TEST(CountBatch, OnlyKnownRowsAreAddedUp) {
  CountBatch b;
  EXPECT_FALSE(b.add("dmarc:c:k", 100));
  b.learn("dmarc:c:k");
  EXPECT_TRUE(b.add("dmarc:c:k", 100));
  EXPECT_TRUE(b.add("dmarc:c:k", 300));
  EXPECT_TRUE(b.add("dmarc:c:k", 200));
  auto pending = b.take();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].key, "dmarc:c:k");
  EXPECT_EQ(pending[0].messages, 3);
  EXPECT_EQ(pending[0].ttl, 300);  // the longest asked for
  EXPECT_TRUE(b.take().empty());
  EXPECT_TRUE(b.add("dmarc:c:k", 100));  // still known after its write
  EXPECT_EQ(b.take().size(), 1u);
}

TEST(CountBatch, WhenFullOnlyRowsWithNothingPendingAreForgotten) {
  CountBatch b(3);
  for (std::string k : {"a", "b", "c"}) b.learn(k);
  EXPECT_TRUE(b.add("a", 1));
  b.learn("d");  // full: b and c go, a (pending) stays, d is learnt
  EXPECT_EQ(b.known(), 2u);
  EXPECT_FALSE(b.add("b", 1));
  EXPECT_TRUE(b.add("d", 1));
  EXPECT_TRUE(b.add("a", 1));
  auto pending = b.take();
  ASSERT_EQ(pending.size(), 2u);
  for (const auto& p : pending) EXPECT_EQ(p.messages, p.key == "a" ? 2 : 1) << p.key;
  for (int i = 0; i < 100; ++i) b.learn("x" + std::to_string(i));
  EXPECT_LE(b.known(), 3u);
}

class BatchedRecorderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = Backend::make(GetParam(), 100000, "dmarc_report");
    if (!backend_) GTEST_SKIP() << "no Redis (POSTSEAL_TEST_REDIS)";
  }
  DomainData read() {
    auto d = domain_data(*backend_->store, period_of(backend_->clock.now()), policy(), 1000);
    EXPECT_TRUE(d);
    return d ? *d : DomainData{};
  }
  std::unique_ptr<Backend> backend_;
};

TEST_P(BatchedRecorderTest, KnownRowsReachTheStoreAtTheFlush) {
  Recorder r(*backend_->store, backend_->clock, kBatched);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.record(policy(), row("192.0.2.1")), Recorded::counted);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(r.record(policy(), row("192.0.2.2")), Recorded::counted);
  EXPECT_EQ(read().messages, 2);  // each row's first message only
  EXPECT_EQ(r.stats().counted.load(), 2u);
  r.flush();
  auto data = read();
  ASSERT_EQ(data.rows.size(), 2u);
  EXPECT_EQ(data.rows[0].count, 5);
  EXPECT_EQ(data.rows[1].count, 2);
  EXPECT_EQ(data.messages, 7);
  EXPECT_EQ(r.stats().counted.load(), 7u);
  r.flush();  // nothing pending: nothing written twice
  EXPECT_EQ(read().messages, 7);
}

TEST_P(BatchedRecorderTest, TheRecorderWritesWhatIsPendingWhenItEnds) {
  {
    Recorder r(*backend_->store, backend_->clock, kBatched);
    for (int i = 0; i < 3; ++i) r.record(policy(), row());
  }
  EXPECT_EQ(read().messages, 3);
}

TEST_P(BatchedRecorderTest, TheFlushThreadWritesWithinItsInterval) {
  Recorder r(*backend_->store, backend_->clock, {.flush_interval = 20ms});
  for (int i = 0; i < 4; ++i) r.record(policy(), row());
  std::int64_t seen = 0;
  for (int i = 0; i < 200 && seen != 4; ++i) {
    std::this_thread::sleep_for(10ms);
    seen = read().messages;
  }
  EXPECT_EQ(seen, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchedRecorderTest,
                         ::testing::Values("memory", "sqlite", "redis"));

TEST(BatchedRecorder, AKnownRowCostsNoStoreCallUntilTheFlush) {
  FixedClock clock(kNow);
  state::test::FlakyStore store(clock);
  Recorder r(store, clock, kBatched);
  r.record(policy(), row());
  const int first = store.calls;
  EXPECT_GT(first, 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r.record(policy(), row()), Recorded::counted);
  EXPECT_EQ(store.calls, first);
  r.flush();
  EXPECT_EQ(store.calls, first + 1);  // one increment by 10
  clock.advance(kSecondsPerDay);      // a new period: its row is new to the store
  r.record(policy(), row());
  EXPECT_GT(store.calls, first + 1);
}

TEST(BatchedRecorder, AFailedWriteCountsItsMessagesAsLost) {
  FixedClock clock(kNow);
  state::test::FlakyStore store(clock);
  Recorder r(store, clock, kBatched);
  std::vector<std::string> lines;
  log::capture([&](log::Level, std::string_view line) { lines.emplace_back(line); });
  r.record(policy(), row());
  for (int i = 0; i < 4; ++i) r.record(policy(), row());
  store.failing = state::StoreError::timeout;
  r.flush();
  EXPECT_EQ(r.stats().lost.load(), 4u);
  EXPECT_EQ(r.stats().outages.load(), 1u);
  store.failing.reset();
  r.record(policy(), row());  // still known: added up
  r.flush();
  log::capture(nullptr);
  EXPECT_EQ(r.stats().counted.load(), 2u);
  EXPECT_EQ(count_lines(lines, "are not recorded"), 1);
  EXPECT_EQ(count_lines(lines, "recording resumed"), 1);
}

}  // namespace
}  // namespace postseal::dmarc_report::test
