// sent_recently_test.cpp - the record of report mail handed to sendmail (sent_recently.hpp):
// found for kSentRecentlyDays, case-insensitive, a repeat restarts the time, the value
// bounded; on the memory and SQLite stores (on the test's clock).
#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report::test {
namespace {

class SentRecentlyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = Backend::make(GetParam(), 1000, "sent-recently");
    ASSERT_TRUE(backend_);
  }
  state::Store& store() { return *backend_->store; }
  std::unique_ptr<Backend> backend_;
};

TEST_P(SentRecentlyTest, FoundForThirtyDaysThenGone) {
  EXPECT_EQ(*sent_recently(store(), "rua@example.net"), std::nullopt);
  ASSERT_TRUE(note_sent(store(), "Rua@Example.NET", "aggregate report of 2026-12-06 for example.com"));
  EXPECT_EQ(*sent_recently(store(), "rua@example.net"), "aggregate report of 2026-12-06 for example.com");
  EXPECT_EQ(*sent_recently(store(), "other@example.net"), std::nullopt);
  backend_->clock.advance(kSentRecentlyDays * kSecondsPerDay - 1);
  EXPECT_TRUE(sent_recently(store(), "rua@example.net")->has_value());
  backend_->clock.advance(2);
  EXPECT_EQ(*sent_recently(store(), "rua@example.net"), std::nullopt);
}

TEST_P(SentRecentlyTest, ARepeatRestartsTheTime) {
  ASSERT_TRUE(note_sent(store(), "rua@example.net", "first"));
  backend_->clock.advance(20 * kSecondsPerDay);
  ASSERT_TRUE(note_sent(store(), "rua@example.net", "second"));
  backend_->clock.advance(20 * kSecondsPerDay);
  EXPECT_EQ(*sent_recently(store(), "rua@example.net"), "second");
}

TEST_P(SentRecentlyTest, ValueIsCut) {
  ASSERT_TRUE(note_sent(store(), "rua@example.net", std::string(kMaxSentWhatOctets + 50, 'w')));
  EXPECT_EQ(sent_recently(store(), "rua@example.net")->value().size(), kMaxSentWhatOctets);
}

INSTANTIATE_TEST_SUITE_P(Backends, SentRecentlyTest, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace postseal::dmarc_report::test
