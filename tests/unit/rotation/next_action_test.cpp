// next_action_test.cpp - keys/rotation/next_action.hpp: what `postseal keys status` tells the
// administrator per state, with and without keys.dns_hook (an active key: from when tick
// makes its successor by keys.max_age, or nothing with max_age 0), and the age and time columns.
#include "keys/rotation/next_action.hpp"

#include <gtest/gtest.h>

namespace postseal::rotation {
namespace {

constexpr std::int64_t kDec6 = 1796594400;  // 2026-12-06 22:00 UTC

TEST(NextAction, PerState) {
  Record r{"example.com", "rsa202612", crypto::KeyType::rsa, State::pending, kDec6, kDec6, "/k/rsa202612.private",
           "v=DKIM1; k=rsa; p=AB"};
  const Timing timing{2 * 86400, 7 * 86400};
  struct {
    State state;
    bool hook;
    std::string want;
  } cases
      [] =
          {
              {State::pending, false,
               "publish rsa202612._domainkey.example.com TXT \"v=DKIM1; k=rsa; p=AB\"; tick checks "
               "DNS"},
              {State::pending, true,
               "keys.dns_hook publishes rsa202612._domainkey.example.com TXT; tick checks DNS"},
              {State::published, false, "signs from the first tick after 2026-12-08 22:00 UTC"},
              {State::active, false,
               "signing; tick makes its successor from 2027-06-02 22:00 UTC (keys.max_age 180 "
               "days)"},  // 178 days
              {State::retiring, false,
               "keep the record published; revoked from the first tick after 2026-12-13 22:00 UTC"},
              {State::revoked, false,
               "publish rsa202612._domainkey.example.com TXT \"v=DKIM1; k=rsa; p=\" (empty p=), "
               "then remove /k/rsa202612.private"},
              {State::revoked, true,
               "keys.dns_hook set rsa202612._domainkey.example.com to \"v=DKIM1; k=rsa; p=\"; "
               "remove /k/rsa202612.private "
               "when no mail signed with it is in transit"},
          };
  for (const auto& c : cases) {
    r.state = c.state;
    EXPECT_EQ(next_action(r, timing, c.hook), c.want) << to_string(c.state) << " hook " << c.hook;
  }
  r.state = State::active;
  EXPECT_EQ(next_action(r, Timing{2 * 86400, 7 * 86400, 0}, false), "signing")
      << "max_age 0: no date";
  EXPECT_EQ(next_action(r, timing, false, true), "signing until its successor (below) is active")
      << "a successor is pending or published: tick makes no other";
  EXPECT_EQ(next_action(r, Timing{0, 7 * 86400, 86400}, false),
            "signing; tick makes its successor from 2026-12-07 22:00 UTC (keys.max_age 1 day)");
}

TEST(NextAction, Columns) {
  EXPECT_EQ(format_age(-5), "0s");
  EXPECT_EQ(format_age(59), "59s");
  EXPECT_EQ(format_age(3599), "59m");
  EXPECT_EQ(format_age(86399), "23h");
  EXPECT_EQ(format_age(200 * 86400), "200d");
  EXPECT_EQ(format_time(kDec6), "2026-12-06 22:00 UTC");
  EXPECT_EQ(format_days(-1), "0 days");
  EXPECT_EQ(format_days(86400), "1 day");
  EXPECT_EQ(format_days(180 * 86400 - 1), "179 days");
}

}  // namespace
}  // namespace postseal::rotation
