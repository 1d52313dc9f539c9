// limits_test.cpp - RFC 7208 4.6.4 processing limits and record selection (docs/security.md 30, 31,
// 34, 35): 10 DNS terms pass and 11 are a permerror, 2 void lookups pass and the third is a
// permerror, 10 MX names pass and 11 are a permerror, two v=spf1 records are a permerror,
// multi-string TXT is joined, macro abuse does not crash, and the time cap gives temperror.
#include "tests/unit/spf/spf_test_util.hpp"

#include <gtest/gtest.h>

namespace postseal::spf {
namespace {

using testing::addr;
using testing::mx;
using testing::query;
using testing::run;
using testing::txt;

SpfOutcome check(dns::Resolver& zone, const SpfQuery& q, const SpfOptions& o = {}) {
  return run(check_host(zone, q, o));
}

// a zone where example.com's record has `n` include: terms, each a record with ?all.
void includes(dns::MemoryZone& z, int n) {
  std::string rec = "v=spf1";
  for (int i = 0; i < n; ++i) {
    const std::string name = "i" + std::to_string(i) + ".example.com";
    rec += " include:" + name;
    z.add(name, txt({"v=spf1 ?all"}));
  }
  z.add("example.com", txt({rec + " ip4:192.0.2.1 -all"}));
}

TEST(SpfLimits, DnsTerms) {
  dns::MemoryZone at;
  includes(at, kMaxDnsTerms);
  auto ok = check(at, query("192.0.2.1", "a@example.com"));
  EXPECT_EQ(ok.result, SpfResult::pass) << ok.reason;
  EXPECT_EQ(ok.dns_terms, kMaxDnsTerms);
  dns::MemoryZone over;
  includes(over, kMaxDnsTerms + 1);
  auto bad = check(over, query("192.0.2.1", "a@example.com"));
  EXPECT_EQ(bad.result, SpfResult::permerror);
  EXPECT_NE(bad.reason.find("DNS-querying terms"), std::string::npos) << bad.reason;
  // The limit counts across include and redirect, not per record.
  dns::MemoryZone nested;
  nested.add("example.com", txt({"v=spf1 a a a a a include:n.example.com -all"}));
  nested.add("n.example.com", txt({"v=spf1 a a a a redirect=r.example.com"}));
  nested.add("r.example.com", txt({"v=spf1 a -all"}));
  for (const char* n : {"example.com", "n.example.com", "r.example.com"}) nested.add(n, addr("192.0.2.99"));
  EXPECT_EQ(check(nested, query("192.0.2.1", "a@example.com")).result, SpfResult::permerror);
}

TEST(SpfLimits, VoidLookups) {
  dns::MemoryZone z;
  z.add("two.example.com", txt({"v=spf1 a:n1.example.com a:n2.example.com -all"}));
  z.add("three.example.com", txt({"v=spf1 a:n1.example.com a:n2.example.com exists:n3.example.com -all"}));
  auto two = check(z, query("192.0.2.1", "a@two.example.com"));
  EXPECT_EQ(two.result, SpfResult::fail);
  EXPECT_EQ(two.void_lookups, kMaxVoidLookups);
  auto three = check(z, query("192.0.2.1", "a@three.example.com"));
  EXPECT_EQ(three.result, SpfResult::permerror);
  EXPECT_NE(three.reason.find("void"), std::string::npos) << three.reason;
}

TEST(SpfLimits, MxNames) {
  for (int n : {kMaxMxNames, kMaxMxNames + 1}) {
    dns::MemoryZone z;
    z.add("example.com", txt({"v=spf1 mx -all"}));
    for (int i = 0; i < n; ++i) {
      const std::string host = "mx" + std::to_string(i) + ".example.com";
      z.add("example.com", mx(host, static_cast<std::uint16_t>(i)));
      z.add(host, addr("192.0.2." + std::to_string(i + 10)));
    }
    auto got = check(z, query("192.0.2.10", "a@example.com"));
    EXPECT_EQ(got.result, n > kMaxMxNames ? SpfResult::permerror : SpfResult::pass) << n << " " << got.reason;
  }
}

TEST(SpfLimits, RecordSelection) {
  dns::MemoryZone z;
  z.add("two.example.com", txt({"v=spf1 +all"}));
  z.add("two.example.com", txt({"v=spf1 -all"}));
  z.add("split.example.com", txt({"v=spf1 ip4:", "192.0.2.1 -all"}));
  z.add("split.example.com", txt({"google-site-verification=abc"}));
  EXPECT_EQ(check(z, query("192.0.2.1", "a@two.example.com")).result, SpfResult::permerror);
  EXPECT_EQ(check(z, query("192.0.2.1", "a@split.example.com")).result, SpfResult::pass);
  EXPECT_EQ(check(z, query("192.0.2.2", "a@split.example.com")).result, SpfResult::fail);
  EXPECT_EQ(check(z, query("192.0.2.1", "a@nothing.example.com")).result, SpfResult::none);
}

TEST(SpfLimits, MacroAbuse) {
  dns::MemoryZone z;
  const std::string label63(63, 'a');
  z.add("example.com", txt({"v=spf1 exists:%{d2147483648}.x.example.com exists:%{l1r-}.%{l2147483648r+-}.example.com "
                            "a:%{l}%{l}%{l}%{l}.example.com -all exp=%{l}.%{l}.%{l}.%{l}.%{l}.example.com"}));
  std::string local;
  for (int i = 0; i < 4; ++i) local += label63 + ".";
  local += label63;  // 255 characters
  auto got = check(z, query("192.0.2.1", local + "@example.com"));
  // Every term is evaluated (nothing matches): two void exists, then the a: name of four
  // 255-octet local-parts is cut to 253 octets and is the third void lookup.
  EXPECT_EQ(got.result, SpfResult::permerror) << got.reason;
  EXPECT_EQ(got.void_lookups, 3);
  EXPECT_EQ(got.dns_terms, 3);
  EXPECT_TRUE(got.explanation.empty());
}

// The time cap holds for either engine (spf.engine): past it, the evaluation is a temperror
// naming the cap (libspf2: a lookup that ends past it answers as timed out).
TEST(SpfLimits, TimeCap) {
  dns::MemoryZone zone;
  zone.add("example.com", txt({"v=spf1 a:a1.example.com a:a2.example.com ip4:192.0.2.1 -all"}));
  zone.add("a1.example.com", addr("198.51.100.1"));
  zone.add("a2.example.com", addr("198.51.100.2"));
  for (auto name : {kEngineNative, kEngineLibspf2}) {
    auto engine = make_engine(name);
    FixedClock clock(1000);
    testing::SlowZone slow(zone, clock, 8);
    SpfOptions o;
    o.clock = &clock;
    o.time_cap_seconds = kDefaultTimeCapSeconds;
    // Three lookups of 8 s each: 24 s > 20 s.
    auto late = run(engine->check_host(slow, query("192.0.2.1", "a@example.com"), o));
    EXPECT_EQ(late.result, SpfResult::temperror) << name;
    EXPECT_EQ(late.reason, "evaluation exceeded 20 s") << name;
    // The same with a cap the lookups fit into.
    o.time_cap_seconds = 30;
    EXPECT_EQ(run(engine->check_host(slow, query("192.0.2.1", "a@example.com"), o)).result, SpfResult::pass) << name;
  }
}

TEST(SpfLimits, DnsFailures) {
  dns::MemoryZone z;
  z.add_timeout("slow.example.com");
  z.add("inc.example.com", txt({"v=spf1 include:slow.example.com -all"}));
  EXPECT_EQ(check(z, query("192.0.2.1", "a@slow.example.com")).result, SpfResult::temperror);
  EXPECT_EQ(check(z, query("192.0.2.1", "a@inc.example.com")).result, SpfResult::temperror);
}

TEST(SpfLimits, Ipv4MappedClient) {
  dns::MemoryZone z;
  z.add("example.com", txt({"v=spf1 ip4:192.0.2.0/24 -all"}));
  EXPECT_EQ(check(z, query("::ffff:192.0.2.7", "a@example.com")).result, SpfResult::pass);
  EXPECT_EQ(check(z, query("2001:db8::1", "a@example.com")).result, SpfResult::fail);
}

}  // namespace
}  // namespace postseal::spf
