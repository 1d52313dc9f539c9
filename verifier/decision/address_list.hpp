// address_list.hpp - CIDR lists for skip_addresses, whitelist and trusted forwarders.
//
// Untrusted input: none at run time (the lists come from the config file or the command
// line and are checked at start-up); client addresses come from Postfix and are matched
// as parsed asio addresses. IPv4-mapped IPv6 clients (::ffff:a.b.c.d) match IPv4 entries.
// Limits: kMaxAddressListEntries entries per list.
#pragma once

#include <asio/ip/address.hpp>

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::decision {

// kMaxAddressListEntries - CIDR entries one list may hold.
inline constexpr std::size_t kMaxAddressListEntries = 10000;

// Cidr - one network: address and prefix length.
struct Cidr {
  asio::ip::address network;
  unsigned prefix = 0;
  bool contains(const asio::ip::address& ip) const;
};

// parse_cidr - "192.0.2.0/24", "2001:db8::/32", "192.0.2.7" (a host).
std::expected<Cidr, std::string> parse_cidr(std::string_view text);

// AddressList - a list of networks; matches() is a linear scan (lists are short).
class AddressList {
 public:
  // add - parse and add entries separated by commas or spaces; an error names the entry.
  std::expected<void, std::string> add(std::string_view text);
  bool matches(const asio::ip::address& ip) const;
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<Cidr> entries_;
};

// is_localhost - 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: always skipped.
bool is_localhost(const asio::ip::address& ip);

// unmapped - an IPv4-mapped IPv6 address as IPv4, anything else unchanged.
asio::ip::address unmapped(const asio::ip::address& ip);

}  // namespace postseal::decision
