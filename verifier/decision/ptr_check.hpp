// ptr_check.hpp - forward-confirmed reverse DNS for domain_whitelist_ptr.
//
// RFC 7208 5.5 style validation: the PTR names of the client address (at most
// kMaxPtrNamesChecked looked at) whose A/AAAA records include the address. Untrusted input:
// DNS answers. Used only when Postfix did not pass a validated client_name.
#pragma once

#include "core/dns/resolver.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <string>
#include <vector>

namespace postseal::decision {

// kMaxPtrNamesChecked - PTR names forward-checked per client (RFC 7208 4.6.4 uses 10).
inline constexpr std::size_t kMaxPtrNamesChecked = 10;

// reverse_name - "4.3.2.1.in-addr.arpa" / nibble form under ip6.arpa.
std::string reverse_name(const asio::ip::address& ip);

// name_has_address - `name`'s A (or AAAA) records include `ip` (a forward match).
asio::awaitable<bool> name_has_address(dns::Resolver& resolver, std::string name,
                                       asio::ip::address ip);

// validated_names - PTR names of `ip` that resolve back to it.
asio::awaitable<std::vector<std::string>> validated_names(dns::Resolver& resolver,
                                                          asio::ip::address ip);

}  // namespace postseal::decision
