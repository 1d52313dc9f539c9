// packet_ttl_test.cpp - Answer::ttl from parse_answer_packet: the smallest TTL of the answer
// section (CNAMEs of the chain included), RFC 2308 5 for NXDOMAIN/NODATA (min of the
// authority SOA's TTL and MINIMUM), kNegativeTtlWithoutSoa without an SOA, 0 for a malformed
// authority section (records still returned, nothing cached), RFC 2181 8 (top bit set = 0).
#include "core/dns/unbound_resolver.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace postseal::dns {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}
void put_name(Bytes& b, std::string_view name) {
  while (!name.empty()) {
    auto dot = name.find('.');
    auto label = name.substr(0, dot);
    b.push_back(static_cast<std::uint8_t>(label.size()));
    b.insert(b.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  }
  b.push_back(0);
}

// Response - header, one question (name at offset 12), answer then authority records.
struct Response {
  Bytes b;
  unsigned answers = 0, authority = 0;
  Response(unsigned rcode, unsigned qtype) {
    put16(b, 0x1234);
    put16(b, 0x8180 | rcode);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    put_name(b, "x.example.com");
    put16(b, qtype);
    put16(b, 1);
  }
  void rr(unsigned type, std::uint32_t ttl, const Bytes& rdata) {
    put16(b, 0xC00C);
    put16(b, type);
    put16(b, 1);
    put32(b, ttl);
    put16(b, static_cast<unsigned>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
  }
  void answer(unsigned type, std::uint32_t ttl, const Bytes& rdata) {
    rr(type, ttl, rdata);
    ++answers;
  }
  void soa(std::uint32_t ttl, std::uint32_t minimum, std::size_t cut = 0) {
    Bytes r;
    put_name(r, "ns.example.com");
    put_name(r, "hostmaster.example.com");
    for (std::uint32_t v : {2026u, 3600u, 600u, 86400u, minimum}) put32(r, v);
    r.resize(r.size() - cut);
    rr(6, ttl, r);
    ++authority;
  }
  Bytes finish() {
    b[6] = static_cast<std::uint8_t>(answers >> 8);
    b[7] = static_cast<std::uint8_t>(answers & 0xff);
    b[8] = static_cast<std::uint8_t>(authority >> 8);
    b[9] = static_cast<std::uint8_t>(authority & 0xff);
    return b;
  }
};

Bytes name_rdata(std::string_view name) {
  Bytes r;
  put_name(r, name);
  return r;
}

TEST(PacketTtl, PositiveIsTheSmallestAnswerTtl) {
  Response r(0, 1);
  r.answer(5, 120, name_rdata("y.example.com"));  // CNAME of the chain: counts too
  r.answer(1, 3600, {192, 0, 2, 1});
  r.answer(1, 600, {192, 0, 2, 2});
  r.soa(5, 5);  // authority of a positive answer: ignored
  Answer a = parse_answer_packet(r.finish(), RrType::a);
  EXPECT_EQ(a.rcode, Rcode::noerror);
  EXPECT_EQ(a.records.size(), 2u);
  EXPECT_EQ(a.ttl, 120u);
}

TEST(PacketTtl, NegativeAnswersTable) {
  struct Case {
    const char* what;
    unsigned rcode;
    bool soa;
    std::uint32_t soa_ttl, minimum;
    std::size_t cut;  // octets cut from the SOA rdata (malformed)
    Rcode want_rcode;
    std::uint32_t want_ttl;
  };
  const std::vector<Case> cases = {
      {"nxdomain, MINIMUM smaller", 3, true, 3600, 300, 0, Rcode::nxdomain, 300},
      {"nxdomain, SOA TTL smaller", 3, true, 60, 900, 0, Rcode::nxdomain, 60},
      {"nodata, SOA", 0, true, 1800, 600, 0, Rcode::noerror, 600},
      {"nxdomain, no SOA", 3, false, 0, 0, 0, Rcode::nxdomain, kNegativeTtlWithoutSoa},
      {"nodata, no SOA", 0, false, 0, 0, 0, Rcode::noerror, kNegativeTtlWithoutSoa},
      {"nodata, SOA cut short", 0, true, 600, 600, 2, Rcode::noerror, 0},
      {"nxdomain, SOA cut short", 3, true, 600, 600, 2, Rcode::nxdomain, 0},
      {"MINIMUM with the top bit set", 3, true, 600, 0x80000000u, 0, Rcode::nxdomain, 0},
      {"SOA TTL with the top bit set", 0, true, 0xFFFFFFFFu, 600, 0, Rcode::noerror, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Response r(c.rcode, 16);
    if (c.soa) r.soa(c.soa_ttl, c.minimum, c.cut);
    Answer a = parse_answer_packet(r.finish(), RrType::txt);
    EXPECT_EQ(a.rcode, c.want_rcode);
    EXPECT_TRUE(a.records.empty());
    EXPECT_EQ(a.ttl, c.want_ttl);
  }
}

TEST(PacketTtl, CnameToNodataTakesTheSmallerOfBoth) {
  Response r(0, 16);
  r.answer(5, 40, name_rdata("y.example.com"));
  r.soa(3600, 300);
  Answer a = parse_answer_packet(r.finish(), RrType::txt);
  EXPECT_TRUE(a.records.empty());
  EXPECT_EQ(a.ttl, 40u);
}

TEST(PacketTtl, TopBitTtlOnARecordIsZero) {
  Response r(0, 1);
  r.answer(1, 0x80000001u, {192, 0, 2, 1});
  Answer a = parse_answer_packet(r.finish(), RrType::a);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.ttl, 0u);
}

TEST(PacketTtl, NxdomainWithBrokenAnswerSectionIsStillNxdomain) {
  Response r(3, 1);
  r.answer(5, 40, name_rdata("y.example.com"));
  Bytes p = r.finish();
  p.resize(p.size() - 3);  // the CNAME runs past the end
  Answer a = parse_answer_packet(p, RrType::a);
  EXPECT_EQ(a.rcode, Rcode::nxdomain);
  EXPECT_EQ(a.ttl, 0u);
}

TEST(PacketTtl, FailuresCarryNoTtl) {
  for (unsigned rcode : {2u, 5u}) {
    Response r(rcode, 1);
    r.soa(3600, 300);
    Answer a = parse_answer_packet(r.finish(), RrType::a);
    EXPECT_EQ(a.rcode, Rcode::servfail);
    EXPECT_EQ(a.ttl, 0u);
  }
}

}  // namespace
}  // namespace postseal::dns
