// max_age_test.cpp - keys/rotation/max_age.hpp: an active key is due for a successor from
// max_age - publish_lead after its creation and not a second before, per algorithm, never
// while the domain has a pending or published key of that algorithm, never with max_age 0;
// the dates saturate for a hostile `created`.
#include "keys/rotation/max_age.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace postseal::rotation {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000;
constexpr std::int64_t kDay = 86400;
const Timing kTiming{2 * kDay, 7 * kDay, 30 * kDay};  // successor due at 28 days

Record key(std::string s, crypto::KeyType a, State state, std::int64_t created) {
  return Record{"example.com",          std::move(s),  a, state, created, created,
                "/k/" + s + ".private", "v=DKIM1; p=X"};
}

std::vector<std::string> due_selectors(const std::vector<Record>& records, std::int64_t now,
                                       const Timing& timing = kTiming) {
  std::vector<std::string> out;
  for (const auto& r : due_by_age(records, now, timing)) out.push_back(r.s);
  return out;
}

using V = std::vector<std::string>;
constexpr auto rsa = crypto::KeyType::rsa;
constexpr auto ed25519 = crypto::KeyType::ed25519;

TEST(MaxAge, Dates) {
  const Record r = key("s1", rsa, State::active, kT0);
  EXPECT_EQ(successor_due_at(r, kTiming), kT0 + 28 * kDay);
  EXPECT_EQ(age_limit_at(r, kTiming), kT0 + 30 * kDay);
  EXPECT_EQ(successor_due_at(r, Timing{2 * kDay, 7 * kDay, 0}), std::nullopt);
  EXPECT_EQ(age_limit_at(r, Timing{2 * kDay, 7 * kDay, 0}), std::nullopt);
  const Record far = key("s1", rsa, State::active, std::numeric_limits<std::int64_t>::max() - 5);
  EXPECT_EQ(age_limit_at(far, kTiming), std::numeric_limits<std::int64_t>::max()) << "saturates";
  EXPECT_EQ(due_selectors({far}, kT0), V{}) << "a creation date in the future only delays";
}

TEST(MaxAge, DueFromMaxAgeMinusPublishLeadNotBefore) {
  const std::vector<Record> records{key("s1", rsa, State::active, kT0)};
  EXPECT_EQ(due_selectors(records, kT0 + 28 * kDay - 1), V{});
  EXPECT_EQ(due_selectors(records, kT0 + 28 * kDay), V{"s1"});
  EXPECT_EQ(due_selectors(records, kT0 + 400 * kDay), V{"s1"}) << "overdue stays due";
}

TEST(MaxAge, EachAlgorithmByItsOwnAge) {
  const std::vector<Record> records{key("s1", rsa, State::active, kT0),
                                    key("e1", ed25519, State::active, kT0 + 10 * kDay)};
  EXPECT_EQ(due_selectors(records, kT0 + 28 * kDay), V{"s1"});
  EXPECT_EQ(due_selectors(records, kT0 + 38 * kDay - 1), V{"s1"});
  EXPECT_EQ(due_selectors(records, kT0 + 38 * kDay), (V{"s1", "e1"}));
}

TEST(MaxAge, NotWhileASuccessorOfTheAlgorithmIsUnderWay) {
  const std::int64_t now = kT0 + 40 * kDay;
  for (State s : {State::pending, State::published}) {
    const std::vector<Record> records{key("s1", rsa, State::active, kT0),
                                      key("e1", ed25519, State::active, kT0),
                                      key("s2", rsa, s, kT0 + 28 * kDay)};
    EXPECT_EQ(due_selectors(records, now), V{"e1"})
        << to_string(s) << ": only ed25519 is still due";
  }
  Record elsewhere = key("s2", rsa, State::pending, kT0 + 28 * kDay);
  elsewhere.d = "example.org";
  EXPECT_EQ(due_selectors({key("s1", rsa, State::active, kT0), elsewhere}, now), V{"s1"})
      << "another domain's pending key is not a successor";
  EXPECT_TRUE(
      has_successor({key("s2", rsa, State::published, kT0)}, key("s1", rsa, State::active, kT0)));
  EXPECT_FALSE(
      has_successor({key("e2", ed25519, State::pending, kT0)}, key("s1", rsa, State::active, kT0)));
  EXPECT_FALSE(
      has_successor({key("s0", rsa, State::retiring, kT0)}, key("s1", rsa, State::active, kT0)));
}

TEST(MaxAge, OnlyTheSigningActiveKey) {
  const std::int64_t now = kT0 + 40 * kDay;
  EXPECT_EQ(due_selectors(
                {key("s0", rsa, State::retiring, kT0), key("t0", rsa, State::revoked, kT0)}, now),
            V{});
  Record newer = key("s2", rsa, State::active, kT0 + 20 * kDay);  // two hosts raced: s2 signs
  EXPECT_EQ(due_selectors({key("s1", rsa, State::active, kT0), newer}, kT0 + 47 * kDay), V{})
      << "the older active key does not sign, so its age does not count";
  EXPECT_EQ(due_selectors({key("s1", rsa, State::active, kT0), newer}, kT0 + 48 * kDay), V{"s2"});
}

TEST(MaxAge, ZeroNeverRotates) {
  const Timing off{2 * kDay, 7 * kDay, 0};
  EXPECT_EQ(due_selectors({key("s1", rsa, State::active, 0)}, kT0, off), V{});
}

}  // namespace
}  // namespace postseal::rotation
