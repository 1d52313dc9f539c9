// destination.hpp - where a report may go: the mailto: address of an rua URI and the
// external destination check.
//
// RFC 9989 4.7 rua (a list of URIs; only mailto: is used for aggregate reports, RFC 9990
// 3.3), RFC 9990 3.4 (verifying external destinations: when the rua host's Organizational
// Domain differs from the policy domain's, a TXT record starting with v=DMARC1 must exist at
// POLICY-DOMAIN._report._dmarc.RUA-HOST, else the URI is ignored). Untrusted input: the rua
// URIs (from DNS, through the store) and DNS answers. An address is accepted only when it
// cannot be read as a sendmail option or split into two (atext characters, one "@", a checked
// domain); a "!size" suffix (RFC 7489) is dropped. Limits: kMaxAddressOctets; the checked
// name is at most dmarc::kMaxDomainOctets.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dns/resolver.hpp"

#include <asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kMaxAddressOctets - RFC 5321 4.5.3.1.3 path length.
inline constexpr std::size_t kMaxAddressOctets = 254;

// MailtoAddress - the address of one mailto: URI, and its domain (lower case).
struct MailtoAddress {
  std::string address;
  std::string domain;
};

// mailto_address - the address of `uri` ("mailto:dmarc@example.com", "mailto:a@b.example!10m"),
// nullopt when it is not a usable mailto: URI.
std::optional<MailtoAddress> mailto_address(std::string_view uri);

// Authorization - the outcome of the external destination check.
enum class Authorization { same_domain, authorized, refused, temporary };
std::string_view to_string(Authorization a);

// authorize_destination - RFC 9990 3.4 for `policy_domain` sending to `destination_domain`.
asio::awaitable<Authorization> authorize_destination(dmarc::Discovery& discovery,
                                                     dns::Resolver& resolver,
                                                     std::string policy_domain,
                                                     std::string destination_domain);

}  // namespace postseal::dmarc_report
