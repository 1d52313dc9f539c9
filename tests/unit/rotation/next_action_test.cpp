// next_action_test.cpp - keys/rotation/next_action.hpp: what `postseal keys status` tells the
// administrator per state, with and without keys.dns_hook, and the age and time columns.
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
  } cases[] = {
      {State::pending, false, "publish rsa202612._domainkey.example.com TXT \"v=DKIM1; k=rsa; p=AB\"; tick checks DNS"},
      {State::pending, true, "keys.dns_hook publishes rsa202612._domainkey.example.com TXT; tick checks DNS"},
      {State::published, false, "signs from the first tick after 2026-12-08 22:00 UTC"},
      {State::active, false, "signing"},
      {State::retiring, false, "keep the record published; revoked from the first tick after 2026-12-13 22:00 UTC"},
      {State::revoked, false,
       "publish rsa202612._domainkey.example.com TXT \"v=DKIM1; k=rsa; p=\" (empty p=), then remove /k/rsa202612.private"},
      {State::revoked, true,
       "keys.dns_hook set rsa202612._domainkey.example.com to \"v=DKIM1; k=rsa; p=\"; remove /k/rsa202612.private "
       "when no mail signed with it is in transit"},
  };
  for (const auto& c : cases) {
    r.state = c.state;
    EXPECT_EQ(next_action(r, timing, c.hook), c.want) << to_string(c.state) << " hook " << c.hook;
  }
}

TEST(NextAction, Columns) {
  EXPECT_EQ(format_age(-5), "0s");
  EXPECT_EQ(format_age(59), "59s");
  EXPECT_EQ(format_age(3599), "59m");
  EXPECT_EQ(format_age(86399), "23h");
  EXPECT_EQ(format_age(200 * 86400), "200d");
  EXPECT_EQ(format_time(kDec6), "2026-12-06 22:00 UTC");
}

}  // namespace
}  // namespace postseal::rotation
