// recorder_test.cpp - counting messages (recorder.hpp) and reading a period back
// (aggregate.hpp) on the memory and SQLite stores (and Redis when POSTSEAL_TEST_REDIS is set):
// counts summed per row, the row and domain limits, periods kept apart, expiry, and a store
// that fails: the message is lost, the outage logged once.
#include "core/dmarc_report/recorder.hpp"
#include "core/dmarc_report/aggregate.hpp"
#include "core/dmarc_report/store_keys.hpp"
#include "core/util/log.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"
#include "tests/unit/state/flaky_store.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report::test {
namespace {

class RecorderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = Backend::make(GetParam(), 100000, "dmarc_report");
    if (!backend_) GTEST_SKIP() << "no Redis (POSTSEAL_TEST_REDIS)";
  }
  Recorder recorder(Limits limits = {}) {
    return Recorder(*backend_->store, backend_->clock, limits);
  }
  DomainData read(const std::string& domain = "example.com", std::size_t max_rows = 1000) {
    auto d =
        domain_data(*backend_->store, period_of(backend_->clock.now()), policy(domain), max_rows);
    EXPECT_TRUE(d);
    return d ? *d : DomainData{};
  }
  std::unique_ptr<Backend> backend_;
};

TEST_P(RecorderTest, CountsAreSummedPerRow) {
  auto r = recorder();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.record(policy(), row("192.0.2.1")), Recorded::counted);
  EXPECT_EQ(r.record(policy(), row("192.0.2.2")), Recorded::counted);
  auto data = read();
  ASSERT_EQ(data.rows.size(), 2u);
  EXPECT_EQ(data.rows[0].row().source_ip, "192.0.2.1");
  EXPECT_EQ(data.rows[0].count, 3);
  EXPECT_EQ(data.rows[1].count, 1);
  EXPECT_EQ(data.messages, 4);
  EXPECT_EQ(data.unreadable, 0u);
  EXPECT_EQ(r.stats().counted.load(), 4u);
}

TEST_P(RecorderTest, PoliciesAreListedOncePerDomain) {
  auto r = recorder();
  r.record(policy("b.example"), row("192.0.2.1", "b.example"));
  r.record(policy("a.example"), row("192.0.2.1", "a.example"));
  r.record(policy("a.example"), row("192.0.2.9", "a.example"));
  auto list = published_policies(*backend_->store, period_of(kNow), 100);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0], policy("a.example"));
  EXPECT_EQ((*list)[1].domain, "b.example");
}

TEST_P(RecorderTest, RowLimitHolds) {
  auto r = recorder({.max_rows = 2, .max_domains = 10});
  EXPECT_EQ(r.record(policy(), row("192.0.2.1")), Recorded::counted);
  EXPECT_EQ(r.record(policy(), row("192.0.2.2")), Recorded::counted);
  EXPECT_EQ(r.record(policy(), row("192.0.2.3")), Recorded::row_limit);
  EXPECT_EQ(r.record(policy(), row("192.0.2.3")), Recorded::row_limit);
  EXPECT_EQ(r.record(policy(), row("192.0.2.1")), Recorded::counted);  // known rows still count
  auto data = read();
  EXPECT_EQ(data.rows.size(), 2u);
  EXPECT_EQ(data.messages, 3);
  EXPECT_EQ(data.dropped, 2);
  EXPECT_EQ(r.stats().lost.load(), 2u);
}

TEST_P(RecorderTest, DomainLimitHolds) {
  auto r = recorder({.max_rows = 10, .max_domains = 1});
  EXPECT_EQ(r.record(policy("a.example"), row("192.0.2.1", "a.example")), Recorded::counted);
  EXPECT_EQ(r.record(policy("b.example"), row("192.0.2.1", "b.example")), Recorded::domain_limit);
  EXPECT_EQ(r.record(policy("a.example"), row("192.0.2.2", "a.example")), Recorded::counted);
  auto list = published_policies(*backend_->store, period_of(kNow), 100);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(read("b.example").rows.size(), 0u);
}

TEST_P(RecorderTest, OversizedRowIsRefused) {
  auto r = recorder();
  Row big = row();
  big.dkim.assign(kMaxDkimPerRow, DkimAuth{std::string(kMaxFieldOctets, '\t'), "s", "pass"});
  EXPECT_EQ(r.record(policy(), big), Recorded::too_large);
  EXPECT_EQ(read().rows.size(), 0u);
}

TEST_P(RecorderTest, DaysAreReportedApart) {
  if (backend_->real_time) GTEST_SKIP() << "Redis keeps its own clock";
  auto r = recorder();
  r.record(policy(), row());
  backend_->clock.advance(kSecondsPerDay);
  r.record(policy(), row());
  r.record(policy(), row());
  auto today = read();
  ASSERT_EQ(today.rows.size(), 1u);
  EXPECT_EQ(today.rows[0].count, 2);
  auto yesterday = domain_data(*backend_->store, period_of(kNow), policy(), 100);
  ASSERT_TRUE(yesterday);
  EXPECT_EQ(yesterday->messages, 1);
}

TEST_P(RecorderTest, DataExpiresAfterRetention) {
  if (backend_->real_time) GTEST_SKIP() << "Redis keeps its own clock";
  auto r = recorder();
  r.record(policy(), row());
  backend_->clock.set(period_of(kNow).end() + kRetentionDays * kSecondsPerDay - 1);
  EXPECT_EQ(domain_data(*backend_->store, period_of(kNow), policy(), 100)->messages, 1);
  backend_->clock.advance(2);
  EXPECT_EQ(domain_data(*backend_->store, period_of(kNow), policy(), 100)->messages, 0);
}

TEST_P(RecorderTest, GarbageInTheStoreIsSkipped) {
  auto r = recorder();
  r.record(policy(), row());
  auto p = period_of(kNow);
  ASSERT_TRUE(backend_->store->put(keys::row(p, "example.com", "0123"), "r1\tjunk", 3600));
  ASSERT_TRUE(backend_->store->put(keys::count(p, "example.com", "0123"), "5", 3600));
  ASSERT_TRUE(backend_->store->put(keys::policy(p, "junk.example"), "p1\tother.example", 3600));
  auto data = read();
  EXPECT_EQ(data.rows.size(), 1u);
  EXPECT_EQ(data.unreadable, 1u);
  auto list = published_policies(*backend_->store, p, 100);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RecorderTest, ::testing::Values("memory", "sqlite", "redis"));

TEST(RecorderOutage, FailsOpenAndLogsOncePerOutage) {
  FixedClock clock(kNow);
  state::test::FlakyStore store(clock);
  store.failing = state::StoreError::unavailable;
  Recorder r(store, clock, {});
  std::vector<std::string> lines;
  log::capture([&](log::Level, std::string_view line) { lines.emplace_back(line); });
  EXPECT_EQ(r.record(policy(), row()), Recorded::store_failed);
  EXPECT_EQ(r.record(policy(), row()), Recorded::store_failed);
  store.failing.reset();
  EXPECT_EQ(r.record(policy(), row()), Recorded::counted);
  store.failing = state::StoreError::timeout;
  EXPECT_EQ(r.record(policy(), row()), Recorded::store_failed);
  log::capture(nullptr);
  EXPECT_EQ(r.stats().outages.load(), 2u);
  EXPECT_EQ(r.stats().lost.load(), 3u);
  EXPECT_EQ(r.stats().counted.load(), 1u);
  EXPECT_EQ(count_lines(lines, "are not recorded"), 2);
  EXPECT_EQ(count_lines(lines, "recording resumed"), 1);
}

}  // namespace
}  // namespace postseal::dmarc_report::test
