// dns_packet_test.cpp - parse_answer_packet: each record type, compression, CNAME chains,
// rcodes, the name length limit, and malformed packets (truncation, pointer loops, forward
// pointers, bad lengths).
#include "core/dns/unbound_resolver.hpp"
#include "core/util/hostname.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace postseal::dns {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
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

// Packet - a response: header, question (qname at offset 12), then answer records.
struct Packet {
  Bytes b;
  std::uint16_t count = 0;
  Packet(unsigned rcode, std::string_view qname, unsigned qtype) {
    put16(b, 0x1234);
    put16(b, 0x8180 | rcode);
    put16(b, 1);
    put16(b, 0);  // ancount, set by finish()
    put16(b, 0);
    put16(b, 0);
    put_name(b, qname);
    put16(b, qtype);
    put16(b, 1);
  }
  // rr - owner as a pointer to the question name (0xC00C), then rdata.
  void rr(unsigned type, const Bytes& rdata) {
    put16(b, 0xC00C);
    put16(b, type);
    put16(b, 1);
    put16(b, 0);
    put16(b, 300);
    put16(b, static_cast<unsigned>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
    ++count;
  }
  Bytes finish() {
    b[6] = static_cast<std::uint8_t>(count >> 8);
    b[7] = static_cast<std::uint8_t>(count & 0xff);
    return b;
  }
};

Bytes name_rdata(std::string_view name) {
  Bytes r;
  put_name(r, name);
  return r;
}

TEST(DnsPacket, RecordTypes) {
  Packet p(0, "example.com", 16);
  p.rr(1, {192, 0, 2, 1});
  Bytes aaaa(16, 0);
  aaaa[0] = 0x20; aaaa[1] = 0x01; aaaa[2] = 0x0d; aaaa[3] = 0xb8; aaaa[15] = 0x25;
  p.rr(28, aaaa);
  Bytes mx;
  put16(mx, 10);
  mx.push_back(4);
  for (char c : std::string("mail")) mx.push_back(static_cast<std::uint8_t>(c));
  put16(mx, 0xC00C);  // compressed: mail.example.com
  p.rr(15, mx);
  p.rr(16, {3, 'a', 'b', 'c', 0, 2, 'd', 'e'});
  p.rr(12, name_rdata("host.example.org"));
  Bytes pkt = p.finish();

  auto a = parse_answer_packet(pkt, RrType::a);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0].address.to_string(), "192.0.2.1");
  auto six = parse_answer_packet(pkt, RrType::aaaa);
  ASSERT_EQ(six.records.size(), 1u);
  EXPECT_EQ(six.records[0].address.to_string(), "2001:db8::25");
  auto m = parse_answer_packet(pkt, RrType::mx);
  ASSERT_EQ(m.records.size(), 1u);
  EXPECT_EQ(m.records[0].preference, 10);
  EXPECT_EQ(m.records[0].name, "mail.example.com");
  auto t = parse_answer_packet(pkt, RrType::txt);
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records[0].strings, (std::vector<std::string>{"abc", "", "de"}));
  auto ptr = parse_answer_packet(pkt, RrType::ptr);
  ASSERT_EQ(ptr.records.size(), 1u);
  EXPECT_EQ(ptr.records[0].name, "host.example.org");
  auto none = parse_answer_packet(pkt, RrType::spf);
  EXPECT_EQ(none.rcode, Rcode::noerror);
  EXPECT_TRUE(none.empty());
}

TEST(DnsPacket, Rcodes) {
  EXPECT_EQ(parse_answer_packet(Packet(3, "x.example", 1).finish(), RrType::a).rcode,
            Rcode::nxdomain);
  EXPECT_EQ(parse_answer_packet(Packet(2, "x.example", 1).finish(), RrType::a).rcode,
            Rcode::servfail);
  EXPECT_EQ(parse_answer_packet(Packet(5, "x.example", 1).finish(), RrType::a).rcode,
            Rcode::servfail);
  auto nodata = parse_answer_packet(Packet(0, "x.example", 1).finish(), RrType::a);
  EXPECT_EQ(nodata.rcode, Rcode::noerror);
  EXPECT_TRUE(nodata.empty());
}

TEST(DnsPacket, Malformed) {
  Packet good(0, "example.com", 1);
  good.rr(1, {192, 0, 2, 1});
  Bytes ok = good.finish();
  ASSERT_EQ(parse_answer_packet(ok, RrType::a).records.size(), 1u);
  // Every truncation is servfail, never a read past the end.
  for (std::size_t n = 0; n < ok.size(); ++n) {
    SCOPED_TRACE(n);
    Bytes cut(ok.begin(), ok.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(parse_answer_packet(cut, RrType::a).rcode, Rcode::servfail);
  }
  struct Case {
    const char* what;
    unsigned type;
    Bytes rdata;
  };
  const std::vector<Case> cases = {
      {"A of 5 octets", 1, {1, 2, 3, 4, 5}},
      {"pointer to itself", 12, {0xC0, 0x00}},  // patched below to point at itself
      {"forward pointer", 12, {0xC0, 0xF0}},
      {"extended label type", 12, {0x40, 0}},
      {"label past rdata", 12, {5, 'a', 0}},
      {"TXT string past rdata", 16, {9, 'a'}},
      {"empty TXT rdata", 16, {}},
      {"trailing bytes after name", 12, {1, 'a', 0, 7}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Packet p(0, "example.com", c.type);
    Bytes rdata = c.rdata;
    if (std::string_view(c.what) == "pointer to itself") {
      std::size_t at = p.b.size() + 12;  // after owner pointer, type, class, ttl, rdlength
      rdata = {static_cast<std::uint8_t>(0xC0 | (at >> 8)), static_cast<std::uint8_t>(at & 0xff)};
    }
    p.rr(c.type, rdata);
    EXPECT_EQ(parse_answer_packet(p.finish(), static_cast<RrType>(c.type)).rcode,
              Rcode::servfail);
  }
}

TEST(DnsPacket, LimitCompressionJumps) {
  // A chain of pointers each one back to the previous: kMaxCompressionJumps are followed.
  auto build = [](int jumps) {
    Packet p(0, "example.com", 12);
    Bytes& b = p.b;
    // Place the pointer chain in a first record's rdata of another type (ignored by type).
    Bytes chain;
    std::size_t base = b.size() + 12;
    for (int i = 0; i < jumps; ++i) {
      std::size_t target = i == 0 ? 12 : base + static_cast<std::size_t>(i - 1) * 2;
      chain.push_back(static_cast<std::uint8_t>(0xC0 | (target >> 8)));
      chain.push_back(static_cast<std::uint8_t>(target & 0xff));
    }
    p.rr(99, chain);
    std::size_t last = base + static_cast<std::size_t>(jumps - 1) * 2;
    p.rr(12, {static_cast<std::uint8_t>(0xC0 | (last >> 8)), static_cast<std::uint8_t>(last)});
    return p.finish();
  };
  auto ok = parse_answer_packet(build(kMaxCompressionJumps - 1), RrType::ptr);
  ASSERT_EQ(ok.records.size(), 1u);
  EXPECT_EQ(ok.records[0].name, "example.com");
  EXPECT_EQ(parse_answer_packet(build(kMaxCompressionJumps), RrType::ptr).rcode, Rcode::servfail);
}

TEST(DnsPacket, LimitAnswerRecords) {
  Packet p(0, "example.com", 1);
  for (std::size_t i = 0; i < kMaxAnswerRecords + 5; ++i) {
    p.rr(1, {192, 0, 2, static_cast<std::uint8_t>(i)});
  }
  EXPECT_EQ(parse_answer_packet(p.finish(), RrType::a).records.size(), kMaxAnswerRecords);
}

TEST(DnsPacket, LimitNameLength) {
  // RFC 1035 2.3.4: 255 octets on the wire, the root label's zero octet included, so 253 in
  // text form. 63 + 63 + 63 + 61 octets with their length octets and the root: 255.
  auto build = [](std::size_t last_label) {
    const std::string name = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                             std::string(63, 'c') + "." + std::string(last_label, 'd');
    Packet p(0, "example.com", 12);
    Bytes target;
    put_name(target, name);
    p.rr(12, target);
    return std::pair{name, p.finish()};
  };
  auto [longest, fits] = build(61);
  ASSERT_EQ(longest.size(), kMaxDomainOctets);
  auto ok = parse_answer_packet(fits, RrType::ptr);
  ASSERT_EQ(ok.records.size(), 1u);
  EXPECT_EQ(ok.records[0].name, longest);
  EXPECT_EQ(parse_answer_packet(build(62).second, RrType::ptr).rcode, Rcode::servfail);
}

}  // namespace
}  // namespace postseal::dns
