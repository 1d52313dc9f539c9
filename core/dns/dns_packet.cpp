// dns_packet.cpp - decode a DNS response's answer section (RFC 1035 4.1, 3.3; RFC 3596 2.2)
// and how long it may be cached (RFC 1035 3.2.1, RFC 2181 8, RFC 2308 5).
//
// Untrusted input: the response packet from the network (through libunbound). Every read is
// bounds-checked; names are decompressed following at most kMaxCompressionJumps pointers, and
// only backwards ones, into at most kMaxWireDomainOctets octets (the root octet included: 253
// in text); at most kMaxAnswerRecords records are decoded. A malformed packet is
// Rcode::servfail. Records of other types (the CNAMEs of a chain) are skipped: callers see the
// type they asked for. Answer::ttl: the smallest TTL of the answer
// section (CNAMEs included); for NXDOMAIN/NODATA the smaller of the authority SOA's TTL and
// its MINIMUM (RFC 2308 5), kNegativeTtlWithoutSoa without an SOA, 0 (not cached) when the
// authority section is malformed. TTLs with the top bit set count as 0 (RFC 2181 8).
#include "core/dns/unbound_resolver.hpp"
#include "core/util/hostname.hpp"

#include <asio/ip/address_v4.hpp>
#include <asio/ip/address_v6.hpp>

#include <algorithm>
#include <optional>

namespace postseal::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kClassIn = 1;
constexpr int kRcodeNxdomain = 3;
// kMaxTtl - TTLs above 2^31 - 1 are read as 0 (RFC 2181 8).
constexpr std::uint32_t kMaxTtl = 0x7FFFFFFF;

class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> packet) : p_(packet) {}
  bool u16(std::size_t& at, std::uint16_t& out) const {
    if (at + 2 > p_.size()) return false;
    out = static_cast<std::uint16_t>((p_[at] << 8) | p_[at + 1]);
    at += 2;
    return true;
  }
  bool u32(std::size_t& at, std::uint32_t& out) const {
    std::uint16_t hi = 0, lo = 0;
    if (!u16(at, hi) || !u16(at, lo)) return false;
    out = (static_cast<std::uint32_t>(hi) << 16) | lo;
    return true;
  }
  // name - read a (possibly compressed) name at `at`; `at` moves past it in the record.
  std::optional<std::string> name(std::size_t& at) const {
    std::string out;
    std::size_t pos = at;
    std::size_t wire = 1;  // the root label's zero octet counts (RFC 1035 2.3.4)
    int jumps = 0;
    bool jumped = false;
    while (true) {
      if (pos >= p_.size()) return std::nullopt;
      std::uint8_t len = p_[pos];
      if ((len & 0xC0) == 0xC0) {
        if (pos + 1 >= p_.size() || ++jumps > kMaxCompressionJumps) return std::nullopt;
        std::size_t target = static_cast<std::size_t>((len & 0x3F) << 8) | p_[pos + 1];
        if (target >= pos) return std::nullopt;  // only backwards: no loops
        if (!jumped) at = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if ((len & 0xC0) != 0) return std::nullopt;  // extended label types
      ++pos;
      if (len == 0) break;
      if (pos + len > p_.size()) return std::nullopt;
      wire += len + 1u;
      if (wire > kMaxWireDomainOctets) return std::nullopt;
      if (!out.empty()) out.push_back('.');
      out.append(reinterpret_cast<const char*>(p_.data() + pos), len);
      pos += len;
    }
    if (!jumped) at = pos;
    return out;
  }
  std::span<const std::uint8_t> bytes() const { return p_; }

 private:
  std::span<const std::uint8_t> p_;
};

// decode_rdata - one record's data, `at` .. `end` in the packet.
std::optional<Record> decode_rdata(const Cursor& c, RrType type, std::size_t at, std::size_t end) {
  Record rec;
  rec.type = type;
  auto p = c.bytes();
  switch (type) {
    case RrType::a: {
      if (end - at != 4) return std::nullopt;
      asio::ip::address_v4::bytes_type b{p[at], p[at + 1], p[at + 2], p[at + 3]};
      rec.address = asio::ip::address_v4(b);
      return rec;
    }
    case RrType::aaaa: {
      if (end - at != 16) return std::nullopt;
      asio::ip::address_v6::bytes_type b{};
      for (std::size_t i = 0; i < 16; ++i) b[i] = p[at + i];
      rec.address = asio::ip::address_v6(b);
      return rec;
    }
    case RrType::mx: {
      if (!c.u16(at, rec.preference)) return std::nullopt;
      [[fallthrough]];
    }
    case RrType::ns:
    case RrType::cname:
    case RrType::ptr: {
      auto n = c.name(at);
      if (!n || at != end) return std::nullopt;
      rec.name = std::move(*n);
      return rec;
    }
    case RrType::txt:
    case RrType::spf: {
      if (at == end) return std::nullopt;  // at least one string (RFC 1035 3.3.14)
      while (at < end) {
        std::size_t len = p[at++];
        if (at + len > end) return std::nullopt;
        rec.strings.emplace_back(reinterpret_cast<const char*>(p.data() + at), len);
        at += len;
      }
      return rec;
    }
  }
  return std::nullopt;
}

// Header - the counts and rcode of the fixed header (RFC 1035 4.1.1).
struct Header {
  int rcode = 0;
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0;
};

bool read_header(const Cursor& c, Header& h) {
  std::size_t at = 2;
  std::uint16_t flags = 0, arcount = 0;
  if (!c.u16(at, flags) || !c.u16(at, h.qdcount) || !c.u16(at, h.ancount) ||
      !c.u16(at, h.nscount) || !c.u16(at, arcount)) {
    return false;
  }
  h.rcode = flags & 0x0F;
  return true;
}

bool skip_questions(const Cursor& c, std::size_t& at, std::uint16_t qdcount) {
  for (std::uint16_t q = 0; q < qdcount; ++q) {
    if (!c.name(at)) return false;
    at += 4;
    if (at > c.bytes().size()) return false;
  }
  return true;
}

// RrHeader - the fixed part of one resource record (RFC 1035 4.1.3) and where its data is.
struct RrHeader {
  std::uint16_t type = 0, rclass = 0;
  std::uint32_t ttl = 0;
  std::size_t rdata = 0, end = 0;
};

// read_rr - the record at `at`; `at` moves past it. False if it runs past the packet.
bool read_rr(const Cursor& c, std::size_t& at, RrHeader& rr) {
  std::uint16_t rdlength = 0;
  if (!c.name(at) || !c.u16(at, rr.type) || !c.u16(at, rr.rclass) || !c.u32(at, rr.ttl) ||
      !c.u16(at, rdlength)) {
    return false;
  }
  if (rr.ttl > kMaxTtl) rr.ttl = 0;
  rr.rdata = at;
  rr.end = at + rdlength;
  if (rr.end > c.bytes().size()) return false;
  at = rr.end;
  return true;
}

// read_answers - the answer section: records of `type` into `out` (when given), the smallest
// TTL of all records into `min_ttl`. False on a malformed record.
bool read_answers(const Cursor& c, std::size_t& at, std::uint16_t count, RrType type,
                  std::vector<Record>* out, std::uint32_t& min_ttl) {
  for (std::uint16_t i = 0; i < count; ++i) {
    RrHeader rr;
    if (!read_rr(c, at, rr)) return false;
    min_ttl = std::min(min_ttl, rr.ttl);
    if (out == nullptr || rr.type != static_cast<std::uint16_t>(type) || rr.rclass != kClassIn ||
        out->size() >= kMaxAnswerRecords) {
      continue;
    }
    auto rec = decode_rdata(c, type, rr.rdata, rr.end);
    if (!rec) return false;
    out->push_back(std::move(*rec));
  }
  return true;
}

// negative_ttl - RFC 2308 5: min(TTL, MINIMUM) of the authority section's SOA;
// kNegativeTtlWithoutSoa without one; 0 when the section is malformed.
std::uint32_t negative_ttl(const Cursor& c, std::size_t at, std::uint16_t nscount) {
  for (std::uint16_t i = 0; i < nscount; ++i) {
    RrHeader rr;
    if (!read_rr(c, at, rr)) return 0;
    if (rr.type != kTypeSoa || rr.rclass != kClassIn) continue;
    std::size_t p = rr.rdata;
    std::uint32_t minimum = 0;
    if (!c.name(p) || !c.name(p)) return 0;  // MNAME, RNAME
    p += 16;                                 // SERIAL, REFRESH, RETRY, EXPIRE
    if (!c.u32(p, minimum) || p != rr.end) return 0;
    return std::min(rr.ttl, minimum > kMaxTtl ? 0 : minimum);
  }
  return kNegativeTtlWithoutSoa;
}

}  // namespace

Answer parse_answer_packet(std::span<const std::uint8_t> packet, RrType type) {
  const Answer bad{Rcode::servfail, {}};
  const Answer nxdomain{Rcode::nxdomain, {}};  // ttl 0: what follows the header is unusable
  Cursor c(packet);
  Header h;
  if (packet.size() < kHeaderSize || !read_header(c, h)) return bad;
  const bool nx = h.rcode == kRcodeNxdomain;
  if (h.rcode != 0 && !nx) return bad;
  std::size_t at = kHeaderSize;
  Answer out;
  std::uint32_t min_ttl = kMaxTtl;
  if (!skip_questions(c, at, h.qdcount) ||
      !read_answers(c, at, h.ancount, type, nx ? nullptr : &out.records, min_ttl)) {
    return nx ? nxdomain : bad;
  }
  if (nx) out.rcode = Rcode::nxdomain;
  if (out.records.empty()) min_ttl = std::min(min_ttl, negative_ttl(c, at, h.nscount));
  out.ttl = min_ttl;
  return out;
}

}  // namespace postseal::dns
