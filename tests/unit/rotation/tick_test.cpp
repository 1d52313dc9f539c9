// tick_test.cpp - keys/rotation/tick.hpp and record_store.hpp on the memory and SQLite stores
// with a pinned clock: a whole rotation, two "hosts" (two record stores over one store) that
// agree on the active key, and a hostile stored value that is reported and never used; with
// keys.max_age, successors made at max_age - publish_lead and not before, once, per
// algorithm, then published and switched to; by one of two hosts ticking at once; a failed
// successor reported and retried; max_age 0 off.
#include "core/state/memory_store.hpp"
#include "core/state/sqlite_store.hpp"
#include "keys/rotation/active_keys.hpp"
#include "keys/rotation/record_store.hpp"
#include "keys/rotation/tick.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <unistd.h>

namespace postseal::rotation {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000;
const Timing kTiming{2 * 86400, 7 * 86400};

// Backend - one store of the kind under test on a pinned clock.
struct Backend {
  FixedClock clock{kT0};
  std::filesystem::path dir;
  std::unique_ptr<state::Store> store;
  explicit Backend(const std::string& kind) {
    if (kind == "memory") {
      store = std::make_unique<state::MemoryStore>(clock, 1000);
      return;
    }
    char tmpl[] = "/tmp/postseal-rotation-XXXXXX";
    dir = ::mkdtemp(tmpl);
    store = std::make_unique<state::SqliteStore>((dir / "state.db").string(), clock, 1000, 200);
  }
  ~Backend() {
    store.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

Record key(std::string s, State state) {
  return Record{"example.com", std::move(s), crypto::KeyType::rsa, state, kT0, kT0, "/k/x.private", "v=DKIM1; p=X"};
}

std::vector<State> states(RecordStore& store) {
  std::vector<State> out;
  const auto loaded = store.all();
  for (const auto& r : loaded.value().records) out.push_back(r.state);
  return out;
}

class Tick : public ::testing::TestWithParam<std::string> {};

TEST_P(Tick, WholeRotationAndTwoHostsAgree) {
  Backend b(GetParam());
  RecordStore host_a(*b.store), host_b(*b.store);
  ASSERT_TRUE(host_a.save(key("old", State::active)).has_value());
  Record fresh = key("new", State::pending);
  fresh.created = kT0 + 1;  // sorts after "old"
  ASSERT_TRUE(host_a.save(fresh).has_value());
  std::set<std::string> published;
  Lookup dns = [&](const Record& r) {
    return published.contains(r.s) ? Sighting{Seen::match, ""} : Sighting{Seen::missing, "no record"};
  };
  auto t = [&](RecordStore& host, std::int64_t at) { return tick(host, at, kTiming, dns).value(); };

  EXPECT_FALSE(t(host_a, kT0).signing_changed);
  EXPECT_EQ(states(host_b), (std::vector{State::active, State::pending}));
  published.insert("new");
  t(host_b, kT0 + 3600);
  EXPECT_EQ(states(host_a), (std::vector{State::active, State::published}));
  EXPECT_EQ(active_keys(host_a.all()->records).at(0).s, "old") << "published is not yet signing";
  EXPECT_FALSE(t(host_a, kT0 + 3600 + kTiming.publish_lead - 1).signing_changed);
  auto switched = t(host_a, kT0 + 3600 + kTiming.publish_lead);
  EXPECT_TRUE(switched.signing_changed);
  EXPECT_EQ(active_keys(host_a.all()->records).at(0).s, "new");
  EXPECT_EQ(active_keys(host_b.all()->records).at(0).s, "new") << "the other host sees the same key";
  EXPECT_EQ(states(host_b), (std::vector{State::retiring, State::active}));
  const std::int64_t retired_at = kT0 + 3600 + kTiming.publish_lead;
  t(host_b, retired_at + kTiming.retire_after - 1);
  EXPECT_EQ(states(host_a), (std::vector{State::retiring, State::active}));
  auto revoked = t(host_b, retired_at + kTiming.retire_after);
  ASSERT_EQ(revoked.events.size(), 1u);
  EXPECT_EQ(revoked.events[0].change, Change::revoked);
  EXPECT_EQ(states(host_a), (std::vector{State::revoked, State::active}));
}

TEST_P(Tick, HostileStoredValuesAreReportedNotUsed) {
  Backend b(GetParam());
  RecordStore store(*b.store);
  ASSERT_TRUE(b.store->put("keys.rotation:example.com:evil", "d=example.com\ns=evil\nstate=active\n", 0).has_value());
  Record other = key("s1", State::active);
  ASSERT_TRUE(b.store->put("keys.rotation:example.com:s2", format_record(other), 0).has_value());  // wrong key
  ASSERT_TRUE(store.save(key("good", State::active)).has_value());
  auto loaded = store.all();
  ASSERT_TRUE(loaded.has_value());
  ASSERT_EQ(loaded->records.size(), 1u);
  EXPECT_EQ(loaded->records[0].s, "good");
  ASSERT_EQ(loaded->problems.size(), 2u);
  EXPECT_EQ(tick(store, kT0, kTiming, [](const Record&) { return Sighting{}; })->problems.size(), 2u);
}

TEST_P(Tick, DomainsAreApart) {
  Backend b(GetParam());
  RecordStore store(*b.store);
  Record a = key("s1", State::pending), c = key("s1", State::pending);
  c.d = "example.org";
  ASSERT_TRUE(store.save(a).has_value());
  ASSERT_TRUE(store.save(c).has_value());
  EXPECT_EQ(store.domain("example.com")->records.size(), 1u);
  EXPECT_EQ(store.domain("example.co")->records.size(), 0u) << "a prefix of a domain is not the domain";
  tick(store, kT0, kTiming, [](const Record& r) {
    return r.d == "example.org" ? Sighting{Seen::match, ""} : Sighting{Seen::missing, ""};
  });
  EXPECT_EQ(store.domain("example.com")->records.at(0).state, State::pending);
  EXPECT_EQ(store.domain("example.org")->records.at(0).state, State::published);
}

// Maker - a MakeSuccessor that records a pending key "DOMAIN-ALG-N" as rotate_domain would,
// and counts its calls.
struct Maker {
  RecordStore& store;
  std::int64_t now = 0;
  std::vector<std::string> calls;
  MakeSuccessor fn() {
    return [this](const std::string& d,
                  crypto::KeyType a) -> std::expected<std::vector<Record>, std::string> {
      Record r{d,      fmt::format("{}{}", crypto::to_string(a), calls.size() + 1),
               a,      State::pending,
               now,    now,
               "/k/n", "v=DKIM1; p=N"};
      calls.push_back(d + " " + std::string(crypto::to_string(a)));
      if (auto saved = store.save(r); !saved) return std::unexpected(saved.error());
      return std::vector<Record>{r};
    };
  }
};

constexpr std::int64_t kDay = 86400;
const Timing kAged{2 * kDay, 7 * kDay, 30 * kDay};  // successor due at 28 days

TEST_P(Tick, MaxAgeMakesOneSuccessorPerAlgorithmAtItsAge) {
  Backend b(GetParam());
  RecordStore store(*b.store);
  Record rsa = key("s1", State::active), ed = key("e1", State::active);
  ed.a = crypto::KeyType::ed25519;
  ed.created = kT0 + 10 * kDay;
  ASSERT_TRUE(store.save(rsa).has_value());
  ASSERT_TRUE(store.save(ed).has_value());
  Lookup missing = [](const Record&) { return Sighting{Seen::missing, "no record"}; };
  Maker maker{store};
  auto t = [&](std::int64_t at) {
    maker.now = at;
    return tick(store, at, kAged, missing, maker.fn()).value();
  };

  EXPECT_TRUE(t(kT0 + 28 * kDay - 1).rotated.empty());
  EXPECT_TRUE(maker.calls.empty()) << "one second before max_age - publish_lead: nothing";
  auto made = t(kT0 + 28 * kDay);
  EXPECT_EQ(maker.calls, std::vector<std::string>{"example.com rsa"});
  ASSERT_EQ(made.rotated.size(), 1u);
  EXPECT_EQ(made.rotated[0].old.s, "s1");
  ASSERT_EQ(made.rotated[0].made.size(), 1u);
  EXPECT_EQ(made.rotated[0].made[0].s, "rsa1");
  ASSERT_EQ(made.events.size(), 1u)
      << "the same tick looks the new record up (and the hook publishes it)";
  EXPECT_EQ(made.events[0].change, Change::waiting);
  EXPECT_EQ(made.events[0].record.s, "rsa1");
  EXPECT_TRUE(t(kT0 + 28 * kDay).rotated.empty());
  EXPECT_TRUE(t(kT0 + 30 * kDay).rotated.empty());
  EXPECT_EQ(maker.calls.size(), 1u) << "a second tick makes no second successor";
  t(kT0 + 38 * kDay);
  EXPECT_EQ(maker.calls, (std::vector<std::string>{"example.com rsa", "example.com ed25519"}))
      << "ed25519 by its own age, though rsa's successor is still pending";
  EXPECT_EQ(store.all()->records.size(), 4u);
}

TEST_P(Tick, MaxAgeSuccessorSignsAboutMaxAge) {
  Backend b(GetParam());
  RecordStore store(*b.store);
  ASSERT_TRUE(store.save(key("s1", State::active)).has_value());
  std::set<std::string> published;
  Lookup dns = [&](const Record& r) {
    return published.contains(r.s) ? Sighting{Seen::match, ""}
                                   : Sighting{Seen::missing, "no record"};
  };
  Maker maker{store};
  auto t = [&](std::int64_t at) {
    maker.now = at;
    return tick(store, at, kAged, dns, maker.fn()).value();
  };
  t(kT0 + 28 * kDay);
  published.insert("rsa1");  // the hook (or the administrator) published it
  t(kT0 + 29 * kDay);
  EXPECT_EQ(states(store), (std::vector{State::active, State::published}));
  EXPECT_FALSE(t(kT0 + 31 * kDay - 1).signing_changed);
  EXPECT_TRUE(t(kT0 + 31 * kDay).signing_changed) << "publish_lead after it was seen";
  EXPECT_EQ(active_keys(store.all()->records).at(0).s, "rsa1");
  EXPECT_EQ(states(store), (std::vector{State::retiring, State::active}));
  EXPECT_EQ(maker.calls.size(), 1u);
  t(kT0 + 56 * kDay - 1);
  EXPECT_EQ(maker.calls.size(), 1u) << "the new key's age counts from its own creation (day 28)";
  t(kT0 + 56 * kDay);
  EXPECT_EQ(maker.calls.size(), 2u);
}

TEST_P(Tick, MaxAgeZeroOrNoMakerRotatesNothing) {
  Backend b(GetParam());
  RecordStore store(*b.store);
  ASSERT_TRUE(store.save(key("s1", State::active)).has_value());
  Maker maker{store};
  Lookup none = [](const Record&) { return Sighting{}; };
  EXPECT_TRUE(tick(store, kT0 + 1000 * kDay, Timing{2 * kDay, 7 * kDay, 0}, none, maker.fn())
                  ->rotated.empty());
  EXPECT_TRUE(maker.calls.empty());
  EXPECT_TRUE(tick(store, kT0 + 1000 * kDay, kAged, none)->rotated.empty())
      << "no MakeSuccessor: as before";
  EXPECT_EQ(store.all()->records.size(), 1u);
}

TEST_P(Tick, MaxAgeFailuresAreProblemsAndTheStatesStillMove) {
  Backend b(GetParam());
  RecordStore store(*b.store);
  ASSERT_TRUE(store.save(key("s1", State::active)).has_value());
  Record other = key("s9", State::pending);
  other.d = "example.org";
  ASSERT_TRUE(store.save(other).has_value());
  MakeSuccessor failing = [](const std::string&,
                             crypto::KeyType) -> std::expected<std::vector<Record>, std::string> {
    return std::unexpected("disk full");
  };
  Lookup dns = [](const Record&) { return Sighting{Seen::match, ""}; };
  auto result = tick(store, kT0 + 28 * kDay, kAged, dns, failing).value();
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0], "rotate: example.com: rsa key s1: disk full");
  EXPECT_EQ(store.domain("example.org")->records.at(0).state, State::published);
  Maker maker{store};
  maker.now = kT0 + 28 * kDay;
  EXPECT_EQ(tick(store, kT0 + 28 * kDay, kAged, dns, maker.fn())->rotated.size(), 1u)
      << "a failed successor's claim is released: the next tick tries again at once";
  Record gone = key("g1", State::active);
  gone.d = "gone.example";
  ASSERT_TRUE(store.save(gone).has_value());
  MakeSuccessor unsigned_domain = [](const std::string&, crypto::KeyType) {
    return std::expected<std::vector<Record>, std::string>{};
  };
  auto skipped = tick(store, kT0 + 28 * kDay, kAged, dns, unsigned_domain).value();
  EXPECT_TRUE(skipped.rotated.empty()) << "a domain no longer signed: nothing made, no problem";
  EXPECT_TRUE(skipped.problems.empty());
}

TEST_P(Tick, MaxAgeTwoHostsAtOnceMakeOneSuccessor) {
  Backend b(GetParam());
  RecordStore host_a(*b.store), host_b(*b.store);
  ASSERT_TRUE(host_a.save(key("s1", State::active)).has_value());
  const std::int64_t at = kT0 + 28 * kDay;
  Lookup missing = [](const Record&) { return Sighting{Seen::missing, "no record"}; };
  Maker maker_a{host_a, at}, maker_b{host_b, at};
  MakeSuccessor a_racing = [&](const std::string& d, crypto::KeyType a) {
    // host B ticks while host A is still making the key (nothing recorded yet)
    auto b_tick = tick(host_b, at, kAged, missing, maker_b.fn());
    EXPECT_TRUE(b_tick.has_value() && b_tick->rotated.empty() && b_tick->problems.empty());
    return maker_a.fn()(d, a);
  };
  auto a_tick = tick(host_a, at, kAged, missing, a_racing).value();
  EXPECT_EQ(a_tick.rotated.size(), 1u);
  EXPECT_TRUE(maker_b.calls.empty()) << "the host that claimed it first makes it, the other skips";
  EXPECT_EQ(host_b.all()->records.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Stores, Tick, ::testing::Values("memory", "sqlite"));

}  // namespace
}  // namespace postseal::rotation
