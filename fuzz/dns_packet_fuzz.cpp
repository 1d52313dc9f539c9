// dns_packet_fuzz.cpp - fuzz the DNS response reader (core/dns/dns_packet.cpp,
// parse_answer_packet: RFC 1035 4.1 header, questions, answers, name compression; RFC 2308 5
// negative TTLs from the authority SOA; RFC 2181 8 TTLs over 2^31 - 1).
//
// Untrusted input: byte 0 picks the type asked for, the rest is the response packet as it
// comes off the network. Inputs over kMaxInputOctets (a TCP answer's 65,535 octets) are
// skipped. Checked on every input:
//   - a failure has no records; every record is of the type asked; at most
//     kMaxAnswerRecords records;
//   - the TTL never exceeds 2^31 - 1; a failure (SERVFAIL) has TTL 0 (never cached); NXDOMAIN
//     has no records;
//   - names are at most 253 octets in text form (255 on the wire, RFC 1035 2.3.4); A records are IPv4, AAAA IPv6; TXT records
//     hold at least one string;
//   - the same packet read twice gives the same answer (no hidden state).
// No network, no files, deterministic.
#include "core/dns/unbound_resolver.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

constexpr std::size_t kMaxInputOctets = 65535 + 1;
constexpr std::uint32_t kMaxTtl = 0x7FFFFFFF;
constexpr std::size_t kMaxNameText = 253;

using postseal::dns::RrType;
constexpr std::array kTypes{RrType::a, RrType::aaaa, RrType::mx, RrType::txt,
                            RrType::ptr, RrType::cname, RrType::ns, RrType::spf};

bool same(const postseal::dns::Answer& x, const postseal::dns::Answer& y) {
  if (x.rcode != y.rcode || x.ttl != y.ttl || x.records.size() != y.records.size()) return false;
  for (std::size_t i = 0; i < x.records.size(); ++i) {
    const auto& a = x.records[i];
    const auto& b = y.records[i];
    if (a.type != b.type || a.address != b.address || a.name != b.name ||
        a.preference != b.preference || a.strings != b.strings) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInputOctets) return 0;
  const RrType type = kTypes[data[0] % kTypes.size()];
  std::span<const std::uint8_t> packet(data + 1, size - 1);
  auto answer = postseal::dns::parse_answer_packet(packet, type);
  if (answer.ttl > kMaxTtl) std::abort();
  if (answer.temporary() && (!answer.records.empty() || answer.ttl != 0)) std::abort();
  if (answer.rcode == postseal::dns::Rcode::nxdomain && !answer.records.empty()) std::abort();
  if (answer.records.size() > postseal::dns::kMaxAnswerRecords) std::abort();
  for (const auto& r : answer.records) {
    if (r.type != type || r.name.size() > kMaxNameText) std::abort();
    if (type == RrType::a && !r.address.is_v4()) std::abort();
    if (type == RrType::aaaa && !r.address.is_v6()) std::abort();
    if ((type == RrType::txt || type == RrType::spf) && r.strings.empty()) std::abort();
    (void)r.text();
  }
  if (!same(answer, postseal::dns::parse_answer_packet(packet, type))) std::abort();
  return 0;
}
