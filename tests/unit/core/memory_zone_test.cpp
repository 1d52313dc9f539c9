// memory_zone_test.cpp - the in-memory resolver: NXDOMAIN vs NODATA, CNAME, TIMEOUT marks.
#include "core/dns/memory_zone.hpp"

#include <gtest/gtest.h>

namespace postseal::dns {

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

}  // namespace postseal::dns
