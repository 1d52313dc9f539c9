// transitions_test.cpp - keys/rotation/transitions.hpp and active_keys.hpp: every transition
// with a pinned clock and a DNS table; never active before published + publish_lead; retire
// and revoke timing; a record that does not match its key never becomes published.
#include "keys/rotation/active_keys.hpp"
#include "keys/rotation/transitions.hpp"

#include <gtest/gtest.h>

#include <map>

namespace postseal::rotation {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000;
constexpr std::int64_t kLead = 2 * 86400, kRetire = 7 * 86400;
const Timing kTiming{kLead, kRetire};

Record key(std::string s, State state, std::int64_t since, crypto::KeyType a = crypto::KeyType::rsa) {
  return Record{"example.com", std::move(s), a, state, kT0, since, "/k/x.private", "v=DKIM1; p=X"};
}

// FakeDns - what each selector's record shows; counts the lookups.
struct FakeDns {
  std::map<std::string, Sighting> by_selector;
  int lookups = 0;
  Lookup lookup() {
    return [this](const Record& r) {
      ++lookups;
      auto it = by_selector.find(r.s);
      return it == by_selector.end() ? Sighting{Seen::missing, "no record"} : it->second;
    };
  }
};

TEST(Transitions, PendingWaitsUntilTheRecordMatches) {
  FakeDns dns;
  std::vector<Record> records{key("new", State::pending, kT0)};
  auto events = advance(records, kT0 + 60, kTiming, dns.lookup());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].change, Change::waiting);
  EXPECT_EQ(records[0].state, State::pending);
  dns.by_selector["new"] = {Seen::other, "mismatch: published p= is not this key's public key"};
  events = advance(records, kT0 + 120, kTiming, dns.lookup());
  EXPECT_EQ(records[0].state, State::pending) << "a record for another key is not this key published";
  EXPECT_NE(events[0].detail.find("mismatch"), std::string::npos);
  dns.by_selector["new"] = {Seen::match, ""};
  events = advance(records, kT0 + 180, kTiming, dns.lookup());
  EXPECT_EQ(events[0].change, Change::published);
  EXPECT_EQ(records[0].state, State::published);
  EXPECT_EQ(records[0].since, kT0 + 180);
}

TEST(Transitions, NeverActiveBeforePublishLead) {
  FakeDns dns;
  dns.by_selector["new"] = {Seen::match, ""};
  std::vector<Record> records{key("old", State::active, kT0 - 100 * 86400), key("new", State::published, kT0)};
  for (std::int64_t t : {kT0, kT0 + 1, kT0 + kLead - 1}) {
    EXPECT_TRUE(advance(records, t, kTiming, dns.lookup()).empty()) << t;
    EXPECT_EQ(records[1].state, State::published);
  }
  EXPECT_EQ(dns.lookups, 0) << "no lookup before the lead time is over";
  EXPECT_EQ(active_keys(records).at(0).s, "old");
  auto events = advance(records, kT0 + kLead, kTiming, dns.lookup());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].change, Change::activated);
  EXPECT_EQ(events[1].change, Change::retired);
  EXPECT_EQ(records[0].state, State::retiring);
  EXPECT_EQ(records[0].since, kT0 + kLead);
  EXPECT_EQ(records[1].state, State::active);
  EXPECT_EQ(active_keys(records).at(0).s, "new");
}

TEST(Transitions, PublishedButGoneAtTheSwitchGoesBackToPending) {
  FakeDns dns;
  std::vector<Record> records{key("old", State::active, kT0), key("new", State::published, kT0)};
  auto events = advance(records, kT0 + kLead, kTiming, dns.lookup());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].change, Change::withdrawn);
  EXPECT_EQ(records[1].state, State::pending);
  EXPECT_EQ(records[0].state, State::active) << "the old key keeps signing";
}

TEST(Transitions, RetireThenRevokeAfterRetireAfter) {
  FakeDns dns;
  std::vector<Record> records{key("old", State::retiring, kT0)};
  EXPECT_TRUE(advance(records, kT0 + kRetire - 1, kTiming, dns.lookup()).empty());
  EXPECT_EQ(records[0].state, State::retiring);
  auto events = advance(records, kT0 + kRetire, kTiming, dns.lookup());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].change, Change::revoked);
  EXPECT_EQ(records[0].state, State::revoked);
  EXPECT_TRUE(advance(records, kT0 + 10 * kRetire, kTiming, dns.lookup()).empty()) << "revoked is final";
  EXPECT_EQ(dns.lookups, 0);
}

TEST(Transitions, OneStepPerTickEvenWithZeroTimes) {
  FakeDns dns;
  dns.by_selector["new"] = {Seen::match, ""};
  std::vector<Record> records{key("old", State::active, kT0), key("new", State::pending, kT0)};
  const Timing zero{0, 0};
  std::vector<std::vector<State>> want{{State::active, State::published},
                                       {State::retiring, State::active},
                                       {State::revoked, State::active}};
  for (const auto& w : want) {
    advance(records, kT0, zero, dns.lookup());
    EXPECT_EQ(records[0].state, w[0]);
    EXPECT_EQ(records[1].state, w[1]);
  }
}

TEST(Transitions, OnlyTheSameAlgorithmRetires) {
  FakeDns dns;
  dns.by_selector["rsa2"] = {Seen::match, ""};
  std::vector<Record> records{key("rsa1", State::active, kT0), key("ed1", State::active, kT0, crypto::KeyType::ed25519),
                              key("rsa2", State::published, kT0)};
  advance(records, kT0 + kLead, kTiming, dns.lookup());
  EXPECT_EQ(records[0].state, State::retiring);
  EXPECT_EQ(records[1].state, State::active);
  EXPECT_EQ(records[2].state, State::active);
  auto active = active_keys(records);
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].s, "ed1");
  EXPECT_EQ(active[1].s, "rsa2");
}

TEST(Transitions, ClockSkewOnlyDelays) {
  FakeDns dns;
  dns.by_selector["new"] = {Seen::match, ""};
  std::vector<Record> records{key("new", State::published, kT0 + 30 * 86400),
                              key("old", State::retiring, kT0 + 30 * 86400)};
  EXPECT_TRUE(advance(records, kT0, kTiming, dns.lookup()).empty()) << "a since in the future waits";
}

TEST(ActiveKeys, SameChoiceWhateverTheOrder) {
  std::vector<Record> a{key("s1", State::active, kT0), key("s2", State::active, kT0 + 5), key("s3", State::pending, kT0 + 9),
                        key("s0", State::active, kT0 + 5)};
  std::vector<Record> b(a.rbegin(), a.rend());
  ASSERT_EQ(active_keys(a).size(), 1u);
  EXPECT_EQ(active_keys(a)[0].s, "s2");
  EXPECT_EQ(active_keys(b)[0].s, "s2");
  EXPECT_TRUE(active_keys({key("p", State::pending, kT0), key("u", State::published, kT0), key("r", State::retiring, kT0),
                           key("v", State::revoked, kT0)})
                  .empty())
      << "only active keys sign";
}

}  // namespace
}  // namespace postseal::rotation
