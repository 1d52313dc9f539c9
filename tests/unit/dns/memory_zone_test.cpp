// memory_zone_test.cpp - MemoryZone: CNAME chains and loops, NODATA vs NXDOMAIN, TIMEOUT only
// for types without records, case and final dot, query log, and the coroutine form.
#include "core/dns/memory_zone.hpp"
#include "core/dns/zone_file.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::dns {
namespace {

void load(MemoryZone& z, std::string_view text) {
  auto r = read_zone_text(text, "t", z);
  ASSERT_TRUE(r.has_value()) << r.error();
}

struct Case {
  std::string name;
  RrType type;
  Rcode rcode;
  std::size_t records;
};

TEST(MemoryZone, AnswersTable) {
  MemoryZone z;
  load(z, 
      "a.example. A 192.0.2.1\n"
      "a.example. TXT \"t\"\n"
      "alias.example. CNAME a.example.\n"
      "alias2.example. CNAME alias.example.\n"
      "dangling.example. CNAME nowhere.example.\n"
      "loop1.example. CNAME loop2.example.\n"
      "loop2.example. CNAME loop1.example.\n"
      "slow.example. TIMEOUT\n"
      "slow.example. MX 10 a.example.\n"
      "cnslow.example. CNAME slow.example.\n");
  const std::vector<Case> cases = {
      {"a.example", RrType::a, Rcode::noerror, 1},
      {"A.EXAMPLE.", RrType::a, Rcode::noerror, 1},
      {"a.example", RrType::aaaa, Rcode::noerror, 0},  // NODATA
      {"b.example", RrType::a, Rcode::nxdomain, 0},
      {"alias.example", RrType::a, Rcode::noerror, 1},
      {"alias2.example", RrType::txt, Rcode::noerror, 1},
      {"alias.example", RrType::cname, Rcode::noerror, 1},
      {"alias.example", RrType::mx, Rcode::noerror, 0},
      {"dangling.example", RrType::a, Rcode::nxdomain, 0},
      {"loop1.example", RrType::a, Rcode::servfail, 0},
      {"slow.example", RrType::mx, Rcode::noerror, 1},  // has records of this type
      {"slow.example", RrType::a, Rcode::timeout, 0},
      {"slow.example", RrType::txt, Rcode::timeout, 0},
      {"cnslow.example", RrType::a, Rcode::timeout, 0},
      {"cnslow.example", RrType::mx, Rcode::noerror, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + " " + std::string(to_string(c.type)));
    auto a = z.answer(c.name, c.type);
    EXPECT_EQ(a.rcode, c.rcode);
    EXPECT_EQ(a.records.size(), c.records);
    EXPECT_EQ(a.temporary(), c.rcode == Rcode::timeout || c.rcode == Rcode::servfail);
  }
}

TEST(MemoryZone, CnameChainLimit) {
  std::string text;
  for (int i = 0; i < kMaxCnameChain; ++i) {
    text += "c" + std::to_string(i) + ".example. CNAME c" + std::to_string(i + 1) + ".example.\n";
  }
  text += "c" + std::to_string(kMaxCnameChain) + ".example. A 192.0.2.1\n";
  MemoryZone z;
  load(z, text);
  EXPECT_EQ(z.answer("c0.example", RrType::a).records.size(), 1u);  // kMaxCnameChain links
  z.add("d.example", Record{.type = RrType::cname, .name = "c0.example"});
  EXPECT_EQ(z.answer("d.example", RrType::a).rcode, Rcode::servfail);  // one more
}

TEST(MemoryZone, QueryLogAndCoroutine) {
  MemoryZone z;
  load(z, "a.example. A 192.0.2.1\n");
  asio::io_context io;
  Answer got;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { got = co_await z.lookup("A.example.", RrType::a); },
      asio::detached);
  io.run();
  ASSERT_EQ(got.records.size(), 1u);
  EXPECT_EQ(got.records[0].address.to_string(), "192.0.2.1");
  z.answer("x.example", RrType::txt);
  auto q = z.queries();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].first, "a.example");
  EXPECT_EQ(q[1].second, RrType::txt);
  z.clear_queries();
  EXPECT_TRUE(z.queries().empty());
}

TEST(MemoryZone, TxtTextJoinsStrings) {
  MemoryZone z;
  load(z, "a.example. TXT \"v=spf1 \" \"-all\"\n");
  EXPECT_EQ(z.answer("a.example", RrType::txt).records[0].text(), "v=spf1 -all");
}

// Records added by hand (MemoryZone::add), not read from zone text.
TEST(MemoryZone, AnswersLikeADnsServer) {
  MemoryZone zone;
  Record txt;
  txt.type = RrType::txt;
  txt.strings = {"v=spf1 ", "-all"};
  zone.add("Example.COM.", txt);
  Record cname;
  cname.type = RrType::cname;
  cname.name = "example.com";
  zone.add("alias.example.com", cname);
  zone.add_timeout("slow.example.com");
  zone.add("slow.example.com", txt);

  auto a = zone.answer("example.com", RrType::txt);
  ASSERT_EQ(a.rcode, Rcode::noerror);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].text(), "v=spf1 -all");
  EXPECT_EQ(zone.answer("example.com", RrType::a).rcode, Rcode::noerror);  // NODATA
  EXPECT_TRUE(zone.answer("example.com", RrType::a).empty());
  EXPECT_EQ(zone.answer("nope.example.com", RrType::a).rcode, Rcode::nxdomain);
  EXPECT_EQ(zone.answer("alias.example.com.", RrType::txt).records.size(), 1u);
  EXPECT_EQ(zone.answer("slow.example.com", RrType::txt).rcode, Rcode::noerror);
  EXPECT_EQ(zone.answer("slow.example.com", RrType::mx).rcode, Rcode::timeout);
  EXPECT_TRUE(zone.answer("slow.example.com", RrType::mx).temporary());
  EXPECT_EQ(zone.queries().size(), 8u);  // every answer() call is logged
}

TEST(MemoryZone, CnameLoopIsServfail) {
  MemoryZone zone;
  Record a, b;
  a.type = b.type = RrType::cname;
  a.name = "b.example.com";
  b.name = "a.example.com";
  zone.add("a.example.com", a);
  zone.add("b.example.com", b);
  EXPECT_EQ(zone.answer("a.example.com", RrType::txt).rcode, Rcode::servfail);
}

// A daemon run with --dns-zone answers forever: the query log stops at kMaxQueryLog (it grew
// ~80 bytes per request before, seen in the greylisting soak), and starts again when cleared.
TEST(MemoryZone, QueryLogIsBounded) {
  MemoryZone zone;
  for (std::size_t i = 0; i < MemoryZone::kMaxQueryLog + 10; ++i) zone.answer("a.example", RrType::txt);
  EXPECT_EQ(zone.queries().size(), MemoryZone::kMaxQueryLog);
  zone.clear_queries();
  zone.answer("a.example", RrType::txt);
  EXPECT_EQ(zone.queries().size(), 1u);
}

}  // namespace
}  // namespace postseal::dns
