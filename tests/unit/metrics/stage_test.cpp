// stage_test.cpp - core/metrics/stage.hpp: a StageTimer observes its scope's duration, read
// from the injected clock, in its stage's series of postseal_stage_duration_seconds; every
// stage has a series from the start. (Timers while counting is off: metrics_test.cpp's
// first test.)
#include "core/metrics/stage.hpp"
#include "core/metrics/families.hpp"
#include "core/metrics/registry.hpp"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <chrono>
#include <string>

namespace postseal::metrics {
namespace {

using namespace std::chrono_literals;

std::atomic<std::int64_t> g_fake_ns{1'000'000'000};
std::atomic<int> g_reads{0};

std::chrono::steady_clock::time_point fake_now() {
  g_reads.fetch_add(1);
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(g_fake_ns.load()));
}

void advance(std::chrono::nanoseconds by) { g_fake_ns.fetch_add(by.count()); }

// Sample - one stage series' count, sum and cumulative count at a bucket bound.
struct Sample {
  std::uint64_t count = 0;
  double sum = 0;
  std::uint64_t at_or_below(double bound) const {
    for (const auto& b : buckets)
      if (b.upper_bound >= bound - 1e-12) return b.cumulative_count;
    return count;
  }
  std::vector<prometheus::ClientMetric::Bucket> buckets;
};

Sample sample(Stage stage) {
  const auto m = families().stage_seconds[static_cast<std::size_t>(stage)]->Collect();
  return Sample{m.histogram.sample_count, m.histogram.sample_sum, m.histogram.bucket};
}

class StageMetrics : public ::testing::Test {
 protected:
  void SetUp() override {
    enable();
    set_stage_clock(&fake_now);
  }
  void TearDown() override { set_stage_clock(nullptr); }
};

TEST_F(StageMetrics, TimerObservesItsScope) {
  const Sample before = sample(Stage::dkim_sign);
  const Sample spf_before = sample(Stage::spf);
  {
    StageTimer timer(Stage::dkim_sign);
    advance(3ms);
  }
  const Sample after = sample(Stage::dkim_sign);
  EXPECT_EQ(after.count, before.count + 1);
  EXPECT_NEAR(after.sum - before.sum, 0.003, 1e-9);
  EXPECT_EQ(after.at_or_below(0.0025), before.at_or_below(0.0025)) << "3 ms is not <= 2.5 ms";
  EXPECT_EQ(after.at_or_below(0.005), before.at_or_below(0.005) + 1);
  EXPECT_EQ(sample(Stage::spf).count, spf_before.count) << "other stages untouched";
}

TEST_F(StageMetrics, ReadsTheClockTwicePerRun) {
  const int reads = g_reads.load();
  { StageTimer timer(Stage::srs); }
  EXPECT_EQ(g_reads.load(), reads + 2);
}

TEST_F(StageMetrics, EveryStageHasASeriesFromTheStart) {
  prometheus::TextSerializer serializer;
  const std::string text = serializer.Serialize(registry().Collect());
  for (auto stage : kStages) {
    const std::string series =
        "postseal_stage_duration_seconds_count{stage=\"" + std::string(to_string(stage)) + "\"}";
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
  EXPECT_EQ(to_string(Stage::policy_request), "policy_request");
}

TEST_F(StageMetrics, LongStagesLandInTheTopBuckets) {
  const Sample before = sample(Stage::relay);
  {
    StageTimer timer(Stage::relay);
    advance(45s);
  }
  const Sample after = sample(Stage::relay);
  EXPECT_EQ(after.at_or_below(30), before.at_or_below(30));
  EXPECT_EQ(after.at_or_below(60), before.at_or_below(60) + 1);
}

}  // namespace
}  // namespace postseal::metrics
