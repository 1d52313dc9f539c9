// greylister_test.cpp - greylisting semantics (verifier/greylist/greylister.hpp) on a
// MemoryStore and a FixedClock: delay, retry window, expiry, auto-whitelist, skip rules, two
// MX hosts sharing one store, values that do not parse, and failing open on store errors
// (logged once per outage, counted). The cases run on the memory and the SQLite backend, and on
// a real Redis when POSTSEAL_TEST_REDIS names one (tests/integration/greylist_redis_table.sh
// starts a redis-server and sets it; absent, the redis runs are skipped): the same table, the
// same answers.
#include "verifier/greylist/greylister.hpp"

#include "core/state/memory_store.hpp"
#include "core/state/redis_store.hpp"
#include "core/state/sqlite_store.hpp"
#include "core/util/log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace postseal::greylist {
namespace {

constexpr std::int64_t kStart = 1700000000;

// FlakyStore - a MemoryStore that fails every call with `error` while `failing` is set.
class FlakyStore final : public state::Store {
 public:
  explicit FlakyStore(const Clock& clock) : inner_(clock, 1000) {}
  std::optional<state::StoreError> failing;
  int calls = 0;
  int writes = 0;  // put, put_if_absent, put_if_absent_or_get, increment

  template <typename T>
  state::Result<T> fail() {
    return std::unexpected(*failing);
  }
  state::Result<std::optional<std::string>> get(std::string_view k) override {
    ++calls;
    if (failing) return fail<std::optional<std::string>>();
    return inner_.get(k);
  }
  state::Result<void> put(std::string_view k, std::string_view v, std::int64_t ttl) override {
    ++calls;
    ++writes;
    if (failing) return fail<void>();
    return inner_.put(k, v, ttl);
  }
  state::Result<bool> put_if_absent(std::string_view k, std::string_view v, std::int64_t ttl) override {
    ++calls;
    ++writes;
    if (failing) return fail<bool>();
    return inner_.put_if_absent(k, v, ttl);
  }
  state::Result<std::int64_t> increment(std::string_view k, std::int64_t by, std::int64_t ttl) override {
    ++calls;
    ++writes;
    if (failing) return fail<std::int64_t>();
    return inner_.increment(k, by, ttl);
  }
  state::Result<state::Claim> put_if_absent_or_get(std::string_view k, std::string_view v, std::int64_t ttl) override {
    ++calls;
    ++writes;
    if (failing) return fail<state::Claim>();
    return inner_.put_if_absent_or_get(k, v, ttl);
  }
  state::Result<bool> erase(std::string_view k) override { return inner_.erase(k); }
  state::Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view p, std::size_t n) override {
    return inner_.scan(p, n);
  }
  state::Result<std::size_t> count(std::string_view p) override { return inner_.count(p); }
  state::Result<std::size_t> expire() override { return inner_.expire(); }
  std::string name() const override { return "flaky"; }

 private:
  state::MemoryStore inner_;
};

// GreylisterTest - each case on a MemoryStore and on a SqliteStore (a file in a temp dir).
class GreylisterTest : public ::testing::TestWithParam<std::string> {
 protected:
  GreylisterTest() : clock_(kStart) {
    if (GetParam() == "sqlite") {
      char dir[] = "/tmp/postseal-greylist-XXXXXX";
      dir_ = mkdtemp(dir);
      store_ = std::make_unique<state::SqliteStore>(dir_ + "/state.db", clock_, 100000, 1000);
    } else if (GetParam() == "redis") {
      // Redis keeps its own time: TTLs run in real seconds, the greylister's judgement (on the
      // stored timestamps) follows the FixedClock.
      const char* env = std::getenv("POSTSEAL_TEST_REDIS");
      auto address = env && *env ? state::parse_redis_address(env) : std::nullopt;
      if (!address) {
        store_ = std::make_unique<state::MemoryStore>(clock_, 100000);
        no_redis_ = true;
      } else {
        static std::atomic<int> n{0};
        state::RedisOptions o;
        o.address = *address;
        o.key_prefix = "pstest-greylist:" + std::to_string(::getpid()) + ":" + std::to_string(n++) + ":";
        o.timeout_ms = 2000;
        store_ = std::make_unique<state::RedisStore>(o);
      }
    } else {
      store_ = std::make_unique<state::MemoryStore>(clock_, 100000);
    }
    make({});
  }
  ~GreylisterTest() override {
    greylister_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void SetUp() override {
    if (no_redis_) GTEST_SKIP() << "POSTSEAL_TEST_REDIS not set (tests/integration/greylist_redis_table.sh)";
  }

  void make(Options o) { greylister_ = std::make_unique<Greylister>(*store_, clock_, std::move(o)); }

  Outcome ask(const char* client = "192.0.2.10", const char* sender = "alice@sender.example",
              const char* recipient = "bob@dest.example") {
    Request r;
    r.client_address = asio::ip::make_address(client);
    r.client_name = "unknown";
    r.sender = sender;
    r.recipient = recipient;
    return greylister_->check(r);
  }

  FixedClock clock_;
  bool no_redis_ = false;
  std::string dir_;
  std::unique_ptr<state::Store> store_;
  std::unique_ptr<Greylister> greylister_;
};

INSTANTIATE_TEST_SUITE_P(Backends, GreylisterTest, ::testing::Values("memory", "sqlite", "redis"),
                         [](const auto& info) { return info.param; });

TEST_P(GreylisterTest, FirstSeenIsDeferredThenPassesAfterTheDelay) {
  auto o = ask();
  EXPECT_EQ(o.action, Action::defer);
  EXPECT_EQ(o.seconds, 300);
  EXPECT_EQ(o.reason, "new");
  clock_.advance(120);
  o = ask();
  EXPECT_EQ(o.action, Action::defer);
  EXPECT_EQ(o.seconds, 180);
  EXPECT_EQ(o.reason, "early retry");
  clock_.advance(180);
  o = ask();
  EXPECT_EQ(o.action, Action::pass);
  EXPECT_TRUE(o.first_pass);
  EXPECT_EQ(o.seconds, 300);
  clock_.advance(3600);
  o = ask();
  EXPECT_EQ(o.action, Action::pass);
  EXPECT_FALSE(o.first_pass);  // no second X-Greylist header
  EXPECT_EQ(greylister_->stats().defers.load(), 2u);
  EXPECT_EQ(greylister_->stats().passes.load(), 2u);
}

TEST_P(GreylisterTest, SameNetworkAndNormalisedSenderShareTheTriplet) {
  EXPECT_EQ(ask("192.0.2.10", "bounce-1@list.example").action, Action::defer);
  clock_.advance(301);
  EXPECT_EQ(ask("192.0.2.99", "Bounce-2@LIST.example").action, Action::pass);
  EXPECT_EQ(ask("192.0.3.10", "bounce-3@list.example").action, Action::defer);  // another /24
  EXPECT_EQ(ask("192.0.2.10", "bounce-1@list.example", "other@dest.example").action, Action::defer);
}

TEST_P(GreylisterTest, Ipv6KeyedBySlash64) {
  EXPECT_EQ(ask("2001:db8:1:2::10").action, Action::defer);
  clock_.advance(300);
  EXPECT_EQ(ask("2001:db8:1:2:ffff::1").action, Action::pass);
  EXPECT_EQ(ask("2001:db8:1:3::10").action, Action::defer);
}

TEST_P(GreylisterTest, ExactAddressKeys) {
  Options o;
  o.key.ipv4_prefix = 32;
  make(o);
  EXPECT_EQ(ask("192.0.2.10").action, Action::defer);
  clock_.advance(300);
  EXPECT_EQ(ask("192.0.2.11").action, Action::defer);
  EXPECT_EQ(ask("192.0.2.10").action, Action::pass);
}

TEST_P(GreylisterTest, RetryAfterTheWindowStartsOver) {
  EXPECT_EQ(ask().action, Action::defer);
  clock_.advance(kDefaultRetryWindow + 1);
  auto o = ask();
  EXPECT_EQ(o.action, Action::defer);
  EXPECT_EQ(o.seconds, 300);
  clock_.advance(300);
  EXPECT_EQ(ask().action, Action::pass);
}

TEST_P(GreylisterTest, PassedTripletExpiresAfterMaxAge) {
  ask();
  clock_.advance(300);
  ASSERT_EQ(ask().action, Action::pass);
  clock_.advance(kDefaultMaxAge - 10);
  EXPECT_EQ(ask().action, Action::pass);  // used: kept another max_age
  clock_.advance(kDefaultMaxAge + 1);
  EXPECT_EQ(ask().action, Action::defer);
}

TEST_P(GreylisterTest, ExpiryJudgedOnStoredTimestampsNotTheStoreClock) {
  // a record whose store TTL has not run out (another host's clock) but whose last use is
  // older than max_age by ours starts over
  ASSERT_TRUE(store_->put("greylist:t:192.0.2.0/24/alice@sender.example/bob@dest.example",
                         std::to_string(kStart - kDefaultMaxAge - 1000) + "," +
                             std::to_string(kStart - kDefaultMaxAge - 500),
                         100000));
  EXPECT_EQ(ask().action, Action::defer);
}

TEST_P(GreylisterTest, GarbageValueIsRewritten) {
  const std::string key = "greylist:t:192.0.2.0/24/alice@sender.example/bob@dest.example";
  ASSERT_TRUE(store_->put(key, "not,a,record", 1000));
  EXPECT_EQ(ask().action, Action::defer);
  clock_.advance(300);
  EXPECT_EQ(ask().action, Action::pass);
}

TEST_P(GreylisterTest, TwoMxHostsAgreeOnFirstSeen) {
  FixedClock other_clock(kStart + 100);  // the second MX host, sharing the store
  Greylister second(*store_, other_clock, Options{});
  EXPECT_EQ(ask().action, Action::defer);
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.77");
  r.sender = "alice@sender.example";
  r.recipient = "bob@dest.example";
  auto o = second.check(r);
  EXPECT_EQ(o.action, Action::defer);
  EXPECT_EQ(o.seconds, 200);  // first seen on the first host
  other_clock.advance(200);
  EXPECT_EQ(second.check(r).action, Action::pass);
}

TEST_P(GreylisterTest, AutoWhitelistAfterFiveDeliveriesOneAnHour) {
  // The once-an-hour marker is judged on the time written in it (our clock), not on the
  // store's expiry, so a FixedClock moves the hour on Redis too (which expires by its own).
  auto deliver = [&](int n) {
    std::string rcpt = "r" + std::to_string(n) + "x@dest.example";
    EXPECT_EQ(ask("192.0.2.10", "a@s.example", rcpt.c_str()).action, Action::defer) << n;
    clock_.advance(300);
    EXPECT_EQ(ask("192.0.2.10", "a@s.example", rcpt.c_str()).action, Action::pass) << n;
  };
  deliver(1);
  deliver(2);  // same hour: not counted
  clock_.advance(3600);
  for (int n = 3; n <= 6; ++n) {
    deliver(n);
    clock_.advance(3600);
  }
  auto o = ask("192.0.2.44", "new@other.example", "new@dest.example");  // same /24
  EXPECT_EQ(o.action, Action::skip);
  EXPECT_EQ(o.reason, "auto-whitelisted");
  EXPECT_EQ(ask("192.0.3.44", "new@other.example", "new@dest.example").action, Action::defer);
  EXPECT_EQ(greylister_->stats().auto_whitelisted.load(), 1u);
}

TEST_P(GreylisterTest, AutoWhitelistFourIsNotEnoughAndZeroTurnsItOff) {
  for (int n = 1; n <= 4; ++n) {
    std::string rcpt = "r" + std::to_string(n) + "x@dest.example";
    ask("192.0.2.10", "a@s.example", rcpt.c_str());
    clock_.advance(300);
    ask("192.0.2.10", "a@s.example", rcpt.c_str());
    clock_.advance(3600);
  }
  EXPECT_EQ(ask("192.0.2.10", "n@s.example", "n@dest.example").action, Action::defer);
  Options o;
  o.auto_whitelist_clients = 0;
  make(o);
  EXPECT_EQ(store_->count("greylist:c:").value_or(99), 1u);
  EXPECT_EQ(ask("192.0.2.10", "m@s.example", "m@dest.example").action, Action::defer);
}

TEST_P(GreylisterTest, SkipRules) {
  Options o;
  ASSERT_TRUE(o.skip.networks.add("198.51.100.0/24"));
  o.skip.spf_pass = true;
  make(o);
  Request r;
  r.client_address = asio::ip::make_address("198.51.100.7");
  r.sender = "a@b.example";
  r.recipient = "c@d.example";
  EXPECT_EQ(greylister_->check(r).reason, "skip_networks");
  r.client_address = asio::ip::make_address("127.0.0.1");
  EXPECT_EQ(greylister_->check(r).reason, "localhost");
  r.client_address = asio::ip::make_address("192.0.2.1");
  r.sasl_username = "user";
  EXPECT_EQ(greylister_->check(r).reason, "authenticated");
  r.sasl_username = "";
  r.spf_pass_domain = "b.example";
  EXPECT_EQ(greylister_->check(r).reason, "spf-pass");
  r.spf_pass_domain = "";
  r.dmarc_pass = true;
  EXPECT_EQ(greylister_->check(r).action, Action::defer);  // DMARC skip is off by default
  o.skip.dmarc_pass = true;
  o.skip.authenticated = false;
  make(o);
  EXPECT_EQ(greylister_->check(r).reason, "dmarc-pass");
  r.dmarc_pass = false;
  r.sasl_username = "user";
  EXPECT_EQ(greylister_->check(r).action, Action::defer);
  EXPECT_EQ(store_->count("greylist:").value_or(0), 1u);  // skips never touched the store
}

TEST_P(GreylisterTest, Whitelists) {
  Options o;
  auto clients = std::make_shared<ClientWhitelist>();
  clients->add_line("example.org", "t:1");
  auto recipients = std::make_shared<RecipientWhitelist>();
  recipients->add_line("postmaster@", "t:1");
  o.clients = clients;
  o.recipients = recipients;
  make(o);
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.1");
  r.client_name = "mx.example.org";
  r.recipient = "x@dest.example";
  EXPECT_EQ(greylister_->check(r).reason, "whitelisted client");
  r.client_name = "unknown";
  r.recipient = "postmaster@dest.example";
  EXPECT_EQ(greylister_->check(r).reason, "whitelisted recipient");
}

TEST_P(GreylisterTest, DelayZeroPassesAtOnce) {
  Options o;
  o.delay = 0;
  make(o);
  auto first = ask();
  EXPECT_EQ(first.action, Action::pass);
  EXPECT_TRUE(first.first_pass);
}

// An auto-whitelisted network asks the store on every message: within the hour that costs
// reads only (the hot path of the big senders), and the next hour's point is still counted.
TEST(GreylisterStore, AutoWhitelistedClientCostsNoWriteWithinTheHour) {
  FixedClock clock(kStart);
  FlakyStore store(clock);
  Options o;
  o.auto_whitelist_clients = 1;
  Greylister g(store, clock, o);
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.10");
  r.sender = "a@b.example";
  r.recipient = "c@d.example";
  EXPECT_EQ(g.check(r).action, Action::defer);
  clock.advance(o.delay);
  EXPECT_EQ(g.check(r).action, Action::pass);  // the point: whitelisted from now on
  const int writes = store.writes;
  for (int i = 0; i < 10; ++i) {
    r.recipient = "r" + std::to_string(i) + "@d.example";
    EXPECT_EQ(g.check(r).reason, "auto-whitelisted");
  }
  EXPECT_EQ(store.writes, writes);
  clock.advance(kAutoWhitelistInterval);
  EXPECT_EQ(g.check(r).reason, "auto-whitelisted");
  EXPECT_GT(store.writes, writes);  // the next hour refreshes the counter
}

// A first-seen triplet, the most common request, costs one store call (a claim that writes
// the record or reads the one there); a retry costs two (the claim's read and the update).
TEST(GreylisterStore, NewTripletCostsOneStoreCall) {
  FixedClock clock(kStart);
  FlakyStore store(clock);
  Options o;
  o.auto_whitelist_clients = 0;
  Greylister g(store, clock, o);
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.10");
  r.sender = "a@b.example";
  r.recipient = "c@d.example";
  EXPECT_EQ(g.check(r).action, Action::defer);
  EXPECT_EQ(store.calls, 1);
  EXPECT_EQ(store.writes, 1);
  clock.advance(o.delay);
  EXPECT_EQ(g.check(r).action, Action::pass);
  EXPECT_EQ(store.calls, 3);
}

TEST(GreylisterFailOpen, StoreErrorsFailOpenLoggedOncePerOutage) {
  std::vector<std::string> lines;
  log::capture([&](log::Level, std::string_view line) { lines.emplace_back(line); });
  FixedClock clock(kStart);
  FlakyStore store(clock);
  Greylister g(store, clock, Options{});
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.10");
  r.sender = "a@b.example";
  r.recipient = "c@d.example";
  EXPECT_EQ(g.check(r).action, Action::defer);
  for (auto error : {state::StoreError::unavailable, state::StoreError::timeout}) {
    store.failing = error;
    for (int i = 0; i < 5; ++i) {
      auto o = g.check(r);
      EXPECT_EQ(o.action, Action::store_error);
      EXPECT_EQ(o.reason, error == state::StoreError::timeout ? "timeout" : "unavailable");
    }
    store.failing.reset();
    clock.advance(10);
    EXPECT_EQ(g.check(r).action, Action::defer);  // resumed, record kept
  }
  EXPECT_EQ(g.stats().outages.load(), 2u);
  EXPECT_EQ(g.stats().store_failures.load(), 10u);
  int outage_lines = 0, resumed_lines = 0;
  for (const auto& l : lines) {
    if (l.find("not greylisting (DUNNO)") != std::string::npos) ++outage_lines;
    if (l.find("greylisting resumed") != std::string::npos) ++resumed_lines;
  }
  EXPECT_EQ(outage_lines, 2);
  EXPECT_EQ(resumed_lines, 2);
  log::capture(nullptr);
}

TEST(GreylisterFailOpen, FailureMidCheckFailsOpen) {
  FixedClock clock(kStart);
  FlakyStore store(clock);
  Greylister g(store, clock, Options{});
  Request r;
  r.client_address = asio::ip::make_address("192.0.2.10");
  r.sender = "a@b.example";
  r.recipient = "c@d.example";
  ASSERT_EQ(g.check(r).action, Action::defer);
  clock.advance(300);
  store.failing = state::StoreError::bad_reply;
  EXPECT_EQ(g.check(r).action, Action::store_error);
  store.failing.reset();
  EXPECT_EQ(g.check(r).action, Action::pass);
}

TEST(Record, ParseAndFormat) {
  EXPECT_EQ(format_record({10, 20}), "10,20");
  auto r = parse_record("10,20");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 10);
  EXPECT_EQ(r->last, 20);
  for (const char* bad : {"", "10", "10,", ",20", "20,10", "-1,5", "1,2,3", "a,b", " 1,2"})
    EXPECT_FALSE(parse_record(bad)) << bad;
}

}  // namespace
}  // namespace postseal::greylist
