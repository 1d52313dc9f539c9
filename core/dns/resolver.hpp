// resolver.hpp - the DNS interface every check uses (DKIM keys, SPF, PTR validation).
//
// Lookups are asynchronous (C++20 coroutines on Asio), so many evaluations are in flight on
// few threads. Two implementations: UnboundResolver (libunbound: forwarders from config,
// TCP fallback for answers over 512 octets, cache with negative answers) and MemoryZone
// (tests and --dns-zone). Names are compared case-insensitively, with or without the final
// dot; CNAMEs are followed by the resolver, callers see the records of the type they asked.
// DNS failures are values: Rcode::servfail / Rcode::timeout mean "temporary", which callers
// turn into temperror; nxdomain and noerror-without-records are "void" answers. make_resolver
// puts a CachingResolver (answer_cache.hpp) in front of libunbound, keyed by Answer::ttl.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dns {

enum class RrType : std::uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  ptr = 12,
  mx = 15,
  txt = 16,
  aaaa = 28,
  spf = 99,
};

// Rcode - what became of a lookup. noerror with no records is NODATA.
enum class Rcode { noerror, nxdomain, servfail, timeout };

// Record - one resource record of the answer section, decoded.
struct Record {
  RrType type = RrType::a;
  asio::ip::address address;        // A, AAAA
  std::string name;                 // CNAME, PTR, MX, NS: target host name, no final dot
  std::uint16_t preference = 0;     // MX
  std::vector<std::string> strings; // TXT, SPF: the character-strings in order
  // text - a TXT record's strings joined with nothing between (RFC 6376 3.6.2.2, RFC 7208 3.3).
  std::string text() const;
};

// Answer - the result of one lookup.
struct Answer {
  Rcode rcode = Rcode::noerror;
  std::vector<Record> records;
  // ttl - seconds the answer may be reused (RFC 1035 3.2.1; negative answers RFC 2308 5);
  // 0: not to be cached (failures, MemoryZone answers).
  std::uint32_t ttl = 0;
  bool temporary() const { return rcode == Rcode::servfail || rcode == Rcode::timeout; }
  bool empty() const { return records.empty(); }
};

std::string_view to_string(RrType type);
std::string_view to_string(Rcode rcode);

// Resolver - asynchronous DNS lookups.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // lookup - the records of `type` at `name` (CNAMEs followed).
  virtual asio::awaitable<Answer> lookup(std::string name, RrType type) = 0;
};

}  // namespace postseal::dns
