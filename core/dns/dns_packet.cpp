// dns_packet.cpp - decode a DNS response's answer section (RFC 1035 4.1, 3.3; RFC 3596 2.2).
//
// Untrusted input: the response packet from the network (through libunbound). Every read is
// bounds-checked; names are decompressed following at most kMaxCompressionJumps pointers, and
// only backwards ones, into at most 255 octets; at most kMaxAnswerRecords records are decoded.
// A malformed packet is Rcode::servfail. Records of other types (the CNAMEs of a chain) are
// skipped: callers see the type they asked for.
#include "core/dns/unbound_resolver.hpp"

#include <asio/ip/address_v4.hpp>
#include <asio/ip/address_v6.hpp>

#include <optional>

namespace postseal::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxWireName = 255;

class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> packet) : p_(packet) {}
  bool u16(std::size_t& at, std::uint16_t& out) const {
    if (at + 2 > p_.size()) return false;
    out = static_cast<std::uint16_t>((p_[at] << 8) | p_[at + 1]);
    at += 2;
    return true;
  }
  // name - read a (possibly compressed) name at `at`; `at` moves past it in the record.
  std::optional<std::string> name(std::size_t& at) const {
    std::string out;
    std::size_t pos = at;
    std::size_t wire = 0;
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
      if (wire > kMaxWireName) return std::nullopt;
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

}  // namespace

Answer parse_answer_packet(std::span<const std::uint8_t> packet, RrType type) {
  const Answer bad{Rcode::servfail, {}};
  Cursor c(packet);
  if (packet.size() < kHeaderSize) return bad;
  std::size_t at = 2;
  std::uint16_t flags = 0, qdcount = 0, ancount = 0, skip = 0;
  if (!c.u16(at, flags) || !c.u16(at, qdcount) || !c.u16(at, ancount) || !c.u16(at, skip) ||
      !c.u16(at, skip)) {
    return bad;
  }
  int rcode = flags & 0x0F;
  if (rcode == 3) return Answer{Rcode::nxdomain, {}};
  if (rcode != 0) return bad;
  for (std::uint16_t q = 0; q < qdcount; ++q) {
    if (!c.name(at)) return bad;
    at += 4;
    if (at > packet.size()) return bad;
  }
  Answer out;
  for (std::uint16_t i = 0; i < ancount; ++i) {
    std::uint16_t rtype = 0, rclass = 0, ttl_hi = 0, ttl_lo = 0, rdlength = 0;
    if (!c.name(at) || !c.u16(at, rtype) || !c.u16(at, rclass) || !c.u16(at, ttl_hi) ||
        !c.u16(at, ttl_lo) || !c.u16(at, rdlength)) {
      return bad;
    }
    std::size_t end = at + rdlength;
    if (end > packet.size()) return bad;
    if (rtype == static_cast<std::uint16_t>(type) && rclass == 1 &&
        out.records.size() < kMaxAnswerRecords) {
      auto rec = decode_rdata(c, type, at, end);
      if (!rec) return bad;
      out.records.push_back(std::move(*rec));
    }
    at = end;
  }
  return out;
}

}  // namespace postseal::dns
