// key.hpp - the greylisting triplet: (client network, normalised envelope sender, recipient),
// as postgrey builds it (docs/compat.md: postgrey 1.37 keys), and its store key.
//
// Client: the network of client_address, /24 for IPv4 and /64 for IPv6 by default (postgrey
// --ipv4cidr/--ipv6cidr); /32 and /128 key by the exact address (postgrey --lookup-by-host).
// An IPv4-mapped IPv6 client is keyed as its IPv4 address. With key_by_spf_domain, a sender
// whose MAIL FROM passed SPF is keyed by that domain ("spf:example.com") instead, so a
// provider's pool retrying from another address is not delayed again.
// Sender: lower case; SRS0/SRS1 addresses reduced to the original local part and domain;
// BATV prvs= tags stripped (both orders postgrey accepts); a +extension dropped; every
// whole number in the local part (digits between non-word characters, Perl's \b\d+\b)
// replaced by '#', so VERP bounce addresses give one key. Recipient: lower case.
// Untrusted input: sender and recipient (SMTP client via Postfix). Limits: each address is
// cut to kMaxAddressOctets before use; a triplet key longer than kMaxKeyOctets (the store's
// limit) is replaced by "greylist:t:sha256:" and the SHA-256 of the whole key in hex.
#pragma once

#include "core/state/store.hpp"

#include <asio/ip/address.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace postseal::greylist {

// kMaxAddressOctets - sender and recipient are cut to this many octets (RFC 5321 4.5.3.1.3:
// a path is at most 256 octets).
inline constexpr std::size_t kMaxAddressOctets = 256;
// kKeyPrefix - every greylisting entry in the shared store starts with this.
inline constexpr std::string_view kKeyPrefix = "greylist:";
// kTripletPrefix / kClientPrefix - triplet records and auto-whitelist counters.
inline constexpr std::string_view kTripletPrefix = "greylist:t:";
inline constexpr std::string_view kClientPrefix = "greylist:c:";
// kMaxKeyOctets - the longest store key built here: the store's own limit.
inline constexpr std::size_t kMaxKeyOctets = state::kMaxKeyOctets;

// KeyOptions - how the client part is built.
struct KeyOptions {
  unsigned ipv4_prefix = 24;  // 32: the exact address
  unsigned ipv6_prefix = 64;  // 128: the exact address
  bool key_by_spf_domain = false;
};

// Triplet - the three parts, each normalised.
struct Triplet {
  std::string client;     // "192.0.2.0/24", "2001:db8:1::/64", "spf:example.com"
  std::string sender;     // "bounce-#@lists.example.org", "" for the null sender
  std::string recipient;  // "user@example.net"
};

// client_network - "192.0.2.0/24" for 192.0.2.77 with prefix 24; "192.0.2.77" with 32.
std::string client_network(const asio::ip::address& ip, const KeyOptions& options);
// normalize_sender - the sender as a key part (rules above).
std::string normalize_sender(std::string_view sender);
// normalize_recipient - lower case, cut to kMaxAddressOctets.
std::string normalize_recipient(std::string_view recipient);
// make_triplet - the triplet of one request; `spf_pass_domain` is the MAIL FROM domain when
// SPF passed for it, else empty.
Triplet make_triplet(const asio::ip::address& ip, std::string_view sender, std::string_view recipient,
                     std::string_view spf_pass_domain, const KeyOptions& options);
// triplet_key - the store key "greylist:t:CLIENT/SENDER/RECIPIENT" (hashed when longer than
// kMaxKeyOctets).
std::string triplet_key(const Triplet& t);
// client_key - the auto-whitelist counter key "greylist:c:CLIENT" (the client network,
// never the SPF domain).
std::string client_key(const asio::ip::address& ip, const KeyOptions& options);

}  // namespace postseal::greylist
