// admin_test.cpp - `postseal greylist show|allow|forget|stats` on a store
// (verifier/greylist/admin.hpp): the command-line triplet finds the daemon's key, allow
// lets the next delivery pass without delay, forget starts it over, stats counts.
#include "verifier/greylist/admin.hpp"

#include "core/state/memory_store.hpp"

#include <gtest/gtest.h>

namespace postseal::greylist {
namespace {

constexpr std::int64_t kStart = 1700000000;

TEST(Admin, KeyIsTheDaemonsKey) {
  KeyOptions o;
  auto key = admin_triplet_key("192.0.2.77", "Bounce-12@List.example", "R@Dest.example", o);
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(*key, triplet_key(make_triplet(asio::ip::make_address("192.0.2.1"), "bounce-9@list.example",
                                           "r@dest.example", "", o)));
  auto spf = admin_triplet_key("spf:SES.example", "a@ses.example", "r@dest.example", o);
  ASSERT_TRUE(spf);
  EXPECT_EQ(*spf, "greylist:t:spf:ses.example/a@ses.example/r@dest.example");
  EXPECT_FALSE(admin_triplet_key("not-an-ip", "a@b", "c@d", o));
  EXPECT_FALSE(admin_triplet_key("spf:", "a@b", "c@d", o));
  EXPECT_FALSE(admin_triplet_key("192.0.2.1", "a@b", "", o));
  EXPECT_FALSE(admin_triplet_key("192.0.2.1", "a\n@b", "c@d", o));
}

TEST(Admin, ShowAllowForgetStats) {
  FixedClock clock(kStart);
  state::MemoryStore store(clock, 1000);
  Options options;
  Greylister g(store, clock, options);
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.10");
  r.sender = "a@s.example";
  r.recipient = "r@dest.example";
  auto key = *admin_triplet_key("192.0.2.10", "a@s.example", "r@dest.example", options.key);
  EXPECT_NE(show(store, key, options, kStart)->find("not recorded"), std::string::npos);
  ASSERT_EQ(g.check(r).action, Action::defer);
  clock.advance(100);
  EXPECT_NE(show(store, key, options, clock.now())->find("waiting, 200 s left"), std::string::npos)
      << *show(store, key, options, clock.now());
  EXPECT_NE(stats(store, options, clock.now())->find("triplets: 1 (0 passed, 1 waiting)"), std::string::npos);
  ASSERT_TRUE(allow(store, key, options, clock.now()));
  EXPECT_NE(show(store, key, options, clock.now())->find("passed"), std::string::npos);
  auto o = g.check(r);
  EXPECT_EQ(o.action, Action::pass);
  EXPECT_FALSE(o.first_pass);  // allowed by hand: no X-Greylist
  EXPECT_NE(stats(store, options, clock.now())->find("triplets: 1 (1 passed, 0 waiting)"), std::string::npos);
  EXPECT_TRUE(*forget(store, key));
  EXPECT_FALSE(*forget(store, key));
  EXPECT_EQ(g.check(r).action, Action::defer);
}

}  // namespace
}  // namespace postseal::greylist
