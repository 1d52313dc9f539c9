// answer_cache_test.cpp - AnswerCache / CachingResolver on a FixedClock: an answer is reused
// until exactly its TTL (capped by max_ttl) and then asked again, negative answers (NXDOMAIN,
// NODATA) are cached, SERVFAIL / timeout / TTL 0 / oversized answers are not, keys ignore case
// and the final dot but not the type, the entry bound holds (least recently used dropped), a
// hit answers with the TTL left, and concurrent use from several threads keeps the bound.
#include "core/dns/answer_cache.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

namespace postseal::dns {
namespace {

constexpr std::int64_t kStart = 1'700'000'000;

// ScriptedResolver - answers what the test set for (name, type), counting every lookup.
class ScriptedResolver final : public Resolver {
 public:
  void set(const std::string& name, RrType type, Answer answer) {
    answers_[{name, type}] = std::move(answer);
  }
  int calls(const std::string& name, RrType type) const {
    auto it = calls_.find({name, type});
    return it == calls_.end() ? 0 : it->second;
  }
  int total() const {
    int n = 0;
    for (const auto& [k, v] : calls_) n += v;
    return n;
  }
  asio::awaitable<Answer> lookup(std::string name, RrType type) override {
    ++calls_[{name, type}];
    auto it = answers_.find({name, type});
    co_return it == answers_.end() ? Answer{Rcode::nxdomain, {}, 0} : it->second;
  }

 private:
  std::map<std::pair<std::string, RrType>, Answer> answers_;
  std::map<std::pair<std::string, RrType>, int> calls_;
};

Answer a_record(const char* address, std::uint32_t ttl) {
  Record r;
  r.type = RrType::a;
  r.address = asio::ip::make_address(address);
  return Answer{Rcode::noerror, {r}, ttl};
}

Answer txt_record(std::string text, std::uint32_t ttl) {
  Record r;
  r.type = RrType::txt;
  r.strings = {std::move(text)};
  return Answer{Rcode::noerror, {r}, ttl};
}

// Fixture - a CachingResolver over a ScriptedResolver on a FixedClock.
struct Fixture {
  explicit Fixture(AnswerCacheOptions options = {}) {
    auto owned = std::make_unique<ScriptedResolver>();
    inner = owned.get();
    resolver = std::make_unique<CachingResolver>(std::move(owned), clock, options);
  }
  Answer lookup(const std::string& name, RrType type) {
    asio::io_context io;
    Answer got;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got = co_await resolver->lookup(name, type); },
        asio::detached);
    io.run();
    return got;
  }
  FixedClock clock{kStart};
  ScriptedResolver* inner = nullptr;
  std::unique_ptr<CachingResolver> resolver;
};

TEST(AnswerCache, ReusedUntilExactlyTheTtl) {
  Fixture f;
  f.inner->set("mail.example.com", RrType::a, a_record("192.0.2.1", 300));
  Answer first = f.lookup("mail.example.com", RrType::a);
  ASSERT_EQ(first.records.size(), 1u);
  EXPECT_EQ(first.ttl, 300u);
  f.clock.advance(299);
  Answer hit = f.lookup("mail.example.com", RrType::a);
  EXPECT_EQ(f.inner->calls("mail.example.com", RrType::a), 1);
  ASSERT_EQ(hit.records.size(), 1u);
  EXPECT_EQ(hit.records[0].address.to_string(), "192.0.2.1");
  EXPECT_EQ(hit.ttl, 1u);  // what is left
  f.clock.advance(1);      // exactly 300 s after it was stored: expired
  f.inner->set("mail.example.com", RrType::a, a_record("192.0.2.2", 300));
  Answer again = f.lookup("mail.example.com", RrType::a);
  EXPECT_EQ(f.inner->calls("mail.example.com", RrType::a), 2);
  ASSERT_EQ(again.records.size(), 1u);
  EXPECT_EQ(again.records[0].address.to_string(), "192.0.2.2");
  EXPECT_EQ(f.resolver->cache().size(), 1u);
}

TEST(AnswerCache, WhatIsCachedTable) {
  Answer servfail{Rcode::servfail, {}, 300};  // a TTL on a failure is ignored
  Answer timeout{Rcode::timeout, {}, 300};
  struct Case {
    const char* what;
    Answer answer;
    std::int64_t max_ttl;
    int calls_within;  // lookups reaching the resolver after 3 lookups 1 s apart
    std::uint32_t ttl_on_second;
  };
  const std::vector<Case> cases = {
      {"positive", a_record("192.0.2.1", 60), 3600, 1, 59},
      {"nxdomain (SOA negative TTL)", Answer{Rcode::nxdomain, {}, 60}, 3600, 1, 59},
      {"nodata (SOA negative TTL)", Answer{Rcode::noerror, {}, 60}, 3600, 1, 59},
      {"servfail never", servfail, 3600, 3, 300},
      {"timeout never", timeout, 3600, 3, 300},
      {"ttl 0 never", a_record("192.0.2.1", 0), 3600, 3, 0},
      {"ttl capped by max_ttl", a_record("192.0.2.1", 86400), 2, 2, 1},
      {"max_ttl 0: cache off", a_record("192.0.2.1", 60), 0, 3, 60},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Fixture f(AnswerCacheOptions{100, c.max_ttl});
    f.inner->set("x.example", RrType::txt, c.answer);
    EXPECT_EQ(f.lookup("x.example", RrType::txt).rcode, c.answer.rcode);
    f.clock.advance(1);
    Answer second = f.lookup("x.example", RrType::txt);
    EXPECT_EQ(second.rcode, c.answer.rcode);
    EXPECT_EQ(second.ttl, c.ttl_on_second);
    f.clock.advance(1);
    f.lookup("x.example", RrType::txt);
    EXPECT_EQ(f.inner->calls("x.example", RrType::txt), c.calls_within);
  }
}

TEST(AnswerCache, FailureDoesNotReplaceOrOutliveAnAnswer) {
  Fixture f;
  f.inner->set("x.example", RrType::a, a_record("192.0.2.1", 10));
  f.lookup("x.example", RrType::a);
  f.clock.advance(10);
  f.inner->set("x.example", RrType::a, Answer{Rcode::servfail, {}, 0});
  EXPECT_EQ(f.lookup("x.example", RrType::a).rcode, Rcode::servfail);  // no stale answer
  EXPECT_EQ(f.resolver->cache().size(), 0u);
  f.inner->set("x.example", RrType::a, a_record("192.0.2.3", 10));
  EXPECT_EQ(f.lookup("x.example", RrType::a).records.at(0).address.to_string(), "192.0.2.3");
  EXPECT_EQ(f.inner->calls("x.example", RrType::a), 3);
}

TEST(AnswerCache, KeysIgnoreCaseAndFinalDotNotType) {
  Fixture f;
  f.inner->set("Example.COM.", RrType::txt, txt_record("v=spf1 -all", 300));
  f.inner->set("Example.COM.", RrType::mx, Answer{Rcode::noerror, {}, 300});
  f.lookup("Example.COM.", RrType::txt);
  Answer same = f.lookup("example.com", RrType::txt);
  EXPECT_EQ(same.records.at(0).text(), "v=spf1 -all");
  f.lookup("EXAMPLE.com.", RrType::txt);
  EXPECT_EQ(f.inner->total(), 1);
  f.lookup("Example.COM.", RrType::mx);  // another type: its own entry
  EXPECT_EQ(f.inner->total(), 2);
  EXPECT_EQ(AnswerCache::key("A.Example.", RrType::a), AnswerCache::key("a.example", RrType::a));
  EXPECT_NE(AnswerCache::key("a.example", RrType::a), AnswerCache::key("a.example", RrType::aaaa));
}

TEST(AnswerCache, EntryBoundHoldsLeastRecentlyUsedDropped) {
  Fixture f(AnswerCacheOptions{3, 3600});
  for (const char* n : {"a.example", "b.example", "c.example", "d.example"})
    f.inner->set(n, RrType::a, a_record("192.0.2.1", 300));
  f.lookup("a.example", RrType::a);
  f.lookup("b.example", RrType::a);
  f.lookup("c.example", RrType::a);
  f.lookup("a.example", RrType::a);  // hit: a is now the most recently used
  f.lookup("d.example", RrType::a);  // full: b (least recently used) goes
  EXPECT_EQ(f.resolver->cache().size(), 3u);
  f.lookup("a.example", RrType::a);
  f.lookup("c.example", RrType::a);
  f.lookup("d.example", RrType::a);
  EXPECT_EQ(f.inner->total(), 4);  // a, c, d were all hits
  f.lookup("b.example", RrType::a);
  EXPECT_EQ(f.inner->calls("b.example", RrType::a), 2);
  // Many more names than entries: the bound holds.
  for (int i = 0; i < 500; ++i) {
    std::string n = "n" + std::to_string(i) + ".example";
    f.inner->set(n, RrType::a, a_record("192.0.2.9", 300));
    f.lookup(n, RrType::a);
    ASSERT_LE(f.resolver->cache().size(), 3u);
  }
}

TEST(AnswerCache, OversizedAnswersAreNotKept) {
  Fixture f;
  f.inner->set("big.example", RrType::txt, txt_record(std::string(kMaxCachedAnswerOctets, 'x'), 300));
  f.inner->set("small.example", RrType::txt, txt_record(std::string(1000, 'x'), 300));
  ASSERT_GT(answer_octets(txt_record(std::string(kMaxCachedAnswerOctets, 'x'), 300)),
            kMaxCachedAnswerOctets);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(f.lookup("big.example", RrType::txt).records.at(0).text().size(),
              kMaxCachedAnswerOctets);
    f.lookup("small.example", RrType::txt);
  }
  EXPECT_EQ(f.inner->calls("big.example", RrType::txt), 2);
  EXPECT_EQ(f.inner->calls("small.example", RrType::txt), 1);
}

TEST(AnswerCache, ZeroEntriesIsOff) {
  Fixture f(AnswerCacheOptions{0, 3600});
  f.inner->set("x.example", RrType::a, a_record("192.0.2.1", 300));
  f.lookup("x.example", RrType::a);
  f.lookup("x.example", RrType::a);
  EXPECT_EQ(f.inner->total(), 2);
  EXPECT_EQ(f.resolver->cache().size(), 0u);
}

TEST(AnswerCache, HitAndMissCounters) {
  Fixture f;
  f.inner->set("x.example", RrType::a, a_record("192.0.2.1", 300));
  f.lookup("x.example", RrType::a);
  f.lookup("x.example", RrType::a);
  f.lookup("x.example", RrType::a);
  EXPECT_EQ(f.resolver->cache().misses(), 1u);
  EXPECT_EQ(f.resolver->cache().hits(), 2u);
}

TEST(AnswerCache, SharedByThreadsKeepsItsBound) {
  FixedClock clock(kStart);
  constexpr std::int64_t kEntries = 64;
  AnswerCache cache(clock, AnswerCacheOptions{kEntries, 3600});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &clock, t] {
      for (int i = 0; i < 5000; ++i) {
        std::string n = "n" + std::to_string((i * 7 + t) % 200) + ".example";
        if (!cache.find(n, RrType::a)) cache.store(n, RrType::a, a_record("192.0.2.1", 5));
        if (i % 1000 == 0 && t == 0) clock.advance(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), static_cast<std::size_t>(kEntries));
  EXPECT_EQ(cache.hits() + cache.misses(), 4u * 5000u);
  EXPECT_GT(cache.hits(), 0u);
}

}  // namespace
}  // namespace postseal::dns
