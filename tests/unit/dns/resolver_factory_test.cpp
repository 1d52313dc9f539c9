// resolver_factory_test.cpp - make_resolver: zone file vs libunbound (behind the answer cache
// unless dns.cache_entries or dns.cache_max_ttl is 0), errors as StartupError (exit 78) naming
// file and line, server address checks, timeout and cache bounds; the dns.* keys and
// their documentation; and UnboundResolver's timeout path (ub_cancel) with many lookups in
// flight against a loopback port where nothing answers (no traffic leaves the host).
#include "core/dns/answer_cache.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/dns/resolver_factory.hpp"
#include "core/dns/unbound_resolver.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace postseal::dns {
namespace {

std::string startup_error(asio::io_context& io, const ResolverOptions& o) {
  try {
    make_resolver(io, o);
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    return e.what();
  }
  return "";
}

TEST(ResolverFactory, ZoneFileGivesMemoryZone) {
  asio::io_context io;
  ResolverOptions o;
  o.zone_file = std::string(POSTSEAL_TEST_DATA) + "/dns/example.zone";
  auto r = make_resolver(io, o);
  auto* zone = dynamic_cast<MemoryZone*>(r.get());
  ASSERT_NE(zone, nullptr);
  EXPECT_EQ(zone->answer("mail.example.com", RrType::a).records.size(), 1u);
}

TEST(ResolverFactory, ServerGivesUnboundBehindTheCache) {
  asio::io_context io;
  ResolverOptions o;
  o.server = "127.0.0.1@5353, ::1";
  auto r = make_resolver(io, o);
  auto* cached = dynamic_cast<CachingResolver*>(r.get());
  ASSERT_NE(cached, nullptr);
  EXPECT_NE(dynamic_cast<UnboundResolver*>(&cached->inner()), nullptr);
  for (auto [entries, max_ttl] : {std::pair<std::int64_t, std::int64_t>{0, 3600}, {10, 0}}) {
    ResolverOptions off = o;
    off.cache_entries = entries;
    off.cache_max_ttl = max_ttl;
    auto plain = make_resolver(io, off);
    EXPECT_NE(dynamic_cast<UnboundResolver*>(plain.get()), nullptr) << entries << " " << max_ttl;
  }
}

TEST(ResolverFactory, Errors) {
  struct Case {
    std::string zone, server;
    long timeout_ms;
    std::string want;
  };
  const std::vector<Case> cases = {
      {std::string(POSTSEAL_TEST_DATA) + "/dns/bad.zone", "", 5000, "bad.zone:4: bad A address"},
      {"/nonexistent.zone", "", 5000, "/nonexistent.zone: cannot open"},
      {"", "127.0.0.1:53", 5000, "not an IP address"},
      {"", "dns.example.com", 5000, "not an IP address"},
      {"", "127.0.0.1@0", 5000, "bad port"},
      {"", "127.0.0.1@65536", 5000, "bad port"},
      {"", "127.0.0.1@", 5000, "bad port"},
      {"", "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8,9.9.9.9", 5000,
       "more than 8"},
      {"", "127.0.0.1", 0, "out of range"},
      {"", "127.0.0.1", kMaxQueryTimeout.count() + 1, "out of range"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.zone + c.server);
    asio::io_context io;
    ResolverOptions o{c.zone, c.server, std::chrono::milliseconds(c.timeout_ms)};
    std::string what = startup_error(io, o);
    EXPECT_NE(what.find(c.want), std::string::npos) << what;
  }
  // The bounds themselves are accepted.
  asio::io_context io;
  EXPECT_NO_THROW(make_resolver(io, {"", "127.0.0.1", kMaxQueryTimeout}));
  EXPECT_NO_THROW(make_resolver(io, {"", "127.0.0.1", std::chrono::milliseconds(1)}));
}

TEST(ResolverFactory, CacheBounds) {
  struct Case {
    std::int64_t entries, max_ttl;
    std::string want;  // empty: accepted
  };
  const std::vector<Case> cases = {
      {0, 0, ""},
      {kMaxCacheEntries, kMaxCacheMaxTtl, ""},
      {-1, 3600, "dns.cache_entries -1 out of range"},
      {kMaxCacheEntries + 1, 3600, "dns.cache_entries"},
      {10, -1, "dns.cache_max_ttl -1 out of range"},
      {10, kMaxCacheMaxTtl + 1, "dns.cache_max_ttl"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    asio::io_context io;
    ResolverOptions o{"", "127.0.0.1", kDefaultQueryTimeout, c.entries, c.max_ttl};
    std::string what = startup_error(io, o);
    if (c.want.empty()) {
      EXPECT_EQ(what, "");
    } else {
      EXPECT_NE(what.find(c.want), std::string::npos) << what;
    }
  }
  config::declare(dns_config_keys());
  EXPECT_THROW(config::File::parse("[dns]\ncache_entries = 1000001\n", "t"), StartupError);
  EXPECT_THROW(config::File::parse("[dns]\ncache_max_ttl = 86401\n", "t"), StartupError);
}

TEST(ResolverFactory, ConfigKeysAreDeclaredAndDocumented) {
  config::declare(dns_config_keys());
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/../../conf/postseal.d/dns.toml");
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  for (const auto& k : dns_config_keys()) {
    std::string key(k.path.substr(k.path.find('.') + 1));
    EXPECT_NE(doc.str().find("# " + key + " = "), std::string::npos) << k.path;
    EXPECT_NE(config::find_key(k.path), nullptr);
  }
  auto file = config::File::parse("[dns]\nserver = \"127.0.0.1@5353\"\ntimeout_ms = 250\n", "t");
  ResolverOptions o;
  apply_config(file, o);
  EXPECT_EQ(o.server, "127.0.0.1@5353");
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(250));
  ResolverOptions cli{"", "192.0.2.53", std::chrono::milliseconds(900)};
  apply_config(file, cli);  // the command line wins
  EXPECT_EQ(cli.server, "192.0.2.53");
  EXPECT_EQ(cli.timeout, std::chrono::milliseconds(900));
  EXPECT_EQ(o.cache_entries, kDefaultCacheEntries);  // absent from the file: defaults
  EXPECT_EQ(o.cache_max_ttl, kDefaultCacheMaxTtl);
  auto cache = config::File::parse("[dns]\ncache_entries = 0\ncache_max_ttl = 60\n", "t");
  apply_config(cache, o);
  EXPECT_EQ(o.cache_entries, 0);
  EXPECT_EQ(o.cache_max_ttl, 60);
  EXPECT_THROW(config::File::parse("[dns]\ntimeout_ms = 60001\n", "t"), StartupError);
}

// A bound UDP socket that never answers: queries to it can only time out.
TEST(UnboundResolver, ManyLookupsTimeOutAndTheLoopEnds) {
  asio::io_context io;
  asio::ip::udp::socket sink(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  UnboundOptions opts;
  opts.forwarders = {"127.0.0.1@" + std::to_string(sink.local_endpoint().port())};
  opts.timeout = std::chrono::milliseconds(300);
  UnboundResolver resolver(io, opts);
  constexpr int kLookups = 40;
  std::vector<Answer> got(kLookups);
  for (int i = 0; i < kLookups; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          got[i] = co_await resolver.lookup("n" + std::to_string(i) + ".example.com",
                                            i % 2 ? RrType::txt : RrType::a);
        },
        asio::detached);
  }
  auto start = std::chrono::steady_clock::now();
  io.run();  // returns only when every lookup ended and nothing is left watching ub_fd
  auto took = std::chrono::steady_clock::now() - start;
  for (const auto& a : got) EXPECT_EQ(a.rcode, Rcode::timeout);
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_GE(took, std::chrono::milliseconds(290));
}

TEST(UnboundResolver, DestroyedWithLookupsInFlight) {
  asio::io_context io;
  asio::ip::udp::socket sink(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  UnboundOptions opts;
  opts.forwarders = {"127.0.0.1@" + std::to_string(sink.local_endpoint().port())};
  opts.timeout = std::chrono::milliseconds(5000);
  auto resolver = std::make_unique<UnboundResolver>(io, opts);
  int ended = 0;
  Answer got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        got = co_await resolver->lookup("a.example.com", RrType::a);
        ++ended;
      },
      asio::detached);
  io.run_for(std::chrono::milliseconds(100));
  resolver.reset();
  auto start = std::chrono::steady_clock::now();
  io.run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(ended, 1);
  EXPECT_EQ(got.rcode, Rcode::timeout);
}

}  // namespace
}  // namespace postseal::dns
