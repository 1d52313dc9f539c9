// address_list.hpp - one CIDR list, IPv4 and IPv6: xforward_hosts of the relay daemons and the
// verifier's skip_addresses, whitelist and trusted forwarders.
//
// An entry is an address ("192.0.2.7", "2001:db8::1": the host alone) or a network
// ("192.0.2.0/24", "2001:db8::/32"); the prefix length is decimal digits only, at most 32 for
// IPv4 and 128 for IPv6, checked for overflow. IPv4-mapped IPv6 is handled deliberately in
// both places: a client ::ffff:a.b.c.d is matched as the IPv4 address a.b.c.d, and an entry
// ::ffff:a.b.c.d/N (N >= 96) is the IPv4 network a.b.c.d/(N-96).
// Untrusted input: none at run time (the lists come from the config file or the command line
// and are checked at start-up: a bad entry is an error naming it); client addresses come from
// the kernel or Postfix. Limits: kMaxAddressListEntries entries per list.
#pragma once

#include <asio/ip/address.hpp>

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::net {

// kMaxAddressListEntries - CIDR entries one list may hold.
inline constexpr std::size_t kMaxAddressListEntries = 10000;

// Cidr - one network: address and prefix length.
struct Cidr {
  asio::ip::address network;
  unsigned prefix = 0;
  bool contains(const asio::ip::address& ip) const;
};

// parse_cidr - "192.0.2.0/24", "2001:db8::/32", "192.0.2.7" (a host); the error names `text`.
std::expected<Cidr, std::string> parse_cidr(std::string_view text);

// AddressList - a list of networks; matches() is a linear scan (lists are short).
class AddressList {
 public:
  // add - parse and add entries separated by commas or spaces; an error names the entry.
  std::expected<void, std::string> add(std::string_view text);
  bool matches(const asio::ip::address& ip) const;
  // matches - the same for an address in text form; false for anything that is not one.
  bool matches(std::string_view ip) const;
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<Cidr> entries_;
};

// is_localhost - 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: always skipped.
bool is_localhost(const asio::ip::address& ip);

// unmapped - an IPv4-mapped IPv6 address as IPv4, anything else unchanged.
asio::ip::address unmapped(const asio::ip::address& ip);

}  // namespace postseal::net
