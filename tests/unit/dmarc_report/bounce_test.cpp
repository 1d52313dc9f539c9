// bounce_test.cpp - the decisions of `postseal dmarc bounce` (bounce.hpp) on a memory store and
// a FixedClock: a permanent failure of an address we sent a report to suppresses it for the
// days asked (and the report run's check, is_suppressed, then says so); one we sent nothing
// to (a forged DSN), or sent to more than 30 days ago, is left alone; delayed and 4.x.x
// outcomes are only logged; the Original-Recipient is preferred when we sent to it; a store
// failure stops the handling; the log texts and the counts.
#include "core/dmarc_report/bounce.hpp"
#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"
#include "tests/unit/state/flaky_store.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report::test {
namespace {

constexpr std::int64_t kDays = 30;

DsnRecipient recipient(std::string final_rcpt, std::string action, std::string status,
                       std::string original = "") {
  return {std::move(original), std::move(final_rcpt), std::move(action), std::move(status)};
}

Dsn dsn(std::vector<DsnRecipient> recipients) {
  Dsn d;
  d.reporting_mta = "dns; mx.example.net";
  d.recipients = std::move(recipients);
  return d;
}

class BounceTest : public ::testing::Test {
 protected:
  bool suppressed(std::string_view address) { return *is_suppressed(store_, address); }

  FixedClock clock_{kNow};
  state::MemoryStore store_{clock_, 1000};
};

TEST_F(BounceTest, PermanentFailureOfAReportedAddressSuppressesIt) {
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "aggregate report of 2023-11-13 for example.com"));
  auto out = handle_bounce(store_, dsn({recipient("rua@example.net", "failed", "5.1.1")}), kDays);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].decision, BounceDecision::suppressed);
  EXPECT_EQ(describe(out[0], kDays),
            "rua@example.net: suppressed for 30 days (5.1.1, aggregate report of 2023-11-13 for "
            "example.com bounced)");
  EXPECT_TRUE(suppressed("rua@example.net"));
  EXPECT_TRUE(suppressed("RUA@example.net"));
  clock_.advance(kDays * kSecondsPerDay - 1);
  EXPECT_TRUE(suppressed("rua@example.net"));
  clock_.advance(2);
  EXPECT_FALSE(suppressed("rua@example.net"));  // ends by itself
}

TEST_F(BounceTest, SuppressDaysAreTheConfiguredOnes) {
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "r"));
  auto out = handle_bounce(store_, dsn({recipient("rua@example.net", "failed", "5.2.1")}), 2);
  EXPECT_EQ(describe(out[0], 2), "rua@example.net: suppressed for 2 days (5.2.1, r bounced)");
  clock_.advance(2 * kSecondsPerDay + 1);
  EXPECT_FALSE(suppressed("rua@example.net"));
}

TEST_F(BounceTest, ForgedDsnForAnAddressWeNeverWroteToChangesNothing) {
  auto out = handle_bounce(store_, dsn({recipient("victim@example.org", "failed", "5.1.1")}), kDays);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].decision, BounceDecision::not_sent_to);
  EXPECT_EQ(describe(out[0], kDays),
            "victim@example.org: not suppressed: no report sent to it in the last 30 days (5.1.1)");
  EXPECT_FALSE(suppressed("victim@example.org"));
}

TEST_F(BounceTest, AReportOlderThanThirtyDaysIsNotBelieved) {
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "old"));
  clock_.advance(kSentRecentlyDays * kSecondsPerDay + 1);
  auto out = handle_bounce(store_, dsn({recipient("rua@example.net", "failed", "5.1.1")}), kDays);
  EXPECT_EQ(out[0].decision, BounceDecision::not_sent_to);
  EXPECT_FALSE(suppressed("rua@example.net"));
}

TEST_F(BounceTest, DelayedAndTemporaryAreOnlyLogged) {
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "r"));
  auto out = handle_bounce(store_,
                           dsn({recipient("rua@example.net", "delayed", "4.4.1"),
                                recipient("rua@example.net", "failed", "4.0.0"),
                                recipient("rua@example.net", "delayed", "5.0.0")}),
                           kDays);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& o : out) EXPECT_EQ(o.decision, BounceDecision::temporary);
  EXPECT_EQ(describe(out[0], kDays),
            "rua@example.net: not suppressed: delayed (4.4.1), a temporary failure");
  EXPECT_EQ(describe(out[1], kDays),
            "rua@example.net: not suppressed: failed (4.0.0), a temporary failure");
  EXPECT_FALSE(suppressed("rua@example.net"));
}

TEST_F(BounceTest, DeliveredRelayedExpandedAreNotFailures) {
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "r"));
  auto out = handle_bounce(store_,
                           dsn({recipient("rua@example.net", "delivered", "2.0.0"),
                                recipient("rua@example.net", "relayed", "2.0.0"),
                                recipient("rua@example.net", "expanded", "2.0.0"),
                                recipient("rua@example.net", "failed", "2.0.0")}),
                           kDays);
  for (const auto& o : out) EXPECT_EQ(o.decision, BounceDecision::not_failed);
  EXPECT_EQ(describe(out[0], kDays), "rua@example.net: not suppressed: action delivered (2.0.0)");
  EXPECT_FALSE(suppressed("rua@example.net"));
}

TEST_F(BounceTest, OriginalRecipientIsTheAddressWeSentTo) {
  // we sent to rua@example.net; its MTA forwarded to rua@mail.example.net, which failed
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "r"));
  auto out = handle_bounce(
      store_, dsn({recipient("rua@mail.example.net", "failed", "5.1.1", "rua@example.net")}), kDays);
  EXPECT_EQ(out[0].decision, BounceDecision::suppressed);
  EXPECT_EQ(out[0].address, "rua@example.net");
  EXPECT_TRUE(suppressed("rua@example.net"));
  EXPECT_FALSE(suppressed("rua@mail.example.net"));
}

TEST_F(BounceTest, FinalRecipientWhenTheOriginalIsNotOurs) {
  ASSERT_TRUE(note_sent(store_, "rua@example.net", "r"));
  auto out = handle_bounce(
      store_, dsn({recipient("rua@example.net", "failed", "5.1.1", "alias@example.com")}), kDays);
  EXPECT_EQ(out[0].decision, BounceDecision::suppressed);
  EXPECT_EQ(out[0].address, "rua@example.net");
  EXPECT_FALSE(suppressed("alias@example.com"));
}

TEST_F(BounceTest, SeveralRecipientsEachDecided) {
  ASSERT_TRUE(note_sent(store_, "a@example.net", "r"));
  ASSERT_TRUE(note_sent(store_, "c@example.net", "r"));
  auto out = handle_bounce(store_,
                           dsn({recipient("a@example.net", "failed", "5.0.0"),
                                recipient("b@example.net", "failed", "5.0.0"),
                                recipient("c@example.net", "delayed", "4.0.0")}),
                           kDays);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].decision, BounceDecision::suppressed);
  EXPECT_EQ(out[1].decision, BounceDecision::not_sent_to);
  EXPECT_EQ(out[2].decision, BounceDecision::temporary);
  EXPECT_TRUE(suppressed("a@example.net"));
  EXPECT_FALSE(suppressed("b@example.net"));
  EXPECT_FALSE(suppressed("c@example.net"));
  EXPECT_EQ(summarize(out),
            "1 suppressed, 1 temporary, 1 not sent to by us, 0 not failed, 0 not report addresses");
}

TEST_F(BounceTest, AddressNoReportGoesToIsNotLookedUp) {
  for (auto bad : {"-oQ/tmp@example.net", "no-at-sign", "a b@example.net", "x@example.net!10m"}) {
    auto out = handle_bounce(store_, dsn({recipient(bad, "failed", "5.1.1")}), kDays);
    EXPECT_EQ(out[0].decision, BounceDecision::not_address) << bad;
  }
  auto out = handle_bounce(store_, dsn({recipient("a\x01@example.net", "failed", "5.1.1")}), kDays);
  EXPECT_EQ(describe(out[0], kDays),
            "a?@example.net: not suppressed: not an address reports go to (5.1.1)");
}

TEST_F(BounceTest, StoreFailureStopsTheHandling) {
  state::test::FlakyStore flaky(clock_);
  ASSERT_TRUE(note_sent(flaky, "a@example.net", "r"));
  flaky.failing = state::StoreError::unavailable;
  auto out = handle_bounce(flaky,
                           dsn({recipient("a@example.net", "failed", "5.1.1"),
                                recipient("b@example.net", "failed", "5.1.1")}),
                           kDays);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].decision, BounceDecision::store_failed);
  EXPECT_EQ(describe(out[0], kDays), "a@example.net: not handled: state store flaky: unavailable");
}

}  // namespace
}  // namespace postseal::dmarc_report::test
