// destination.hpp - where a report may go: the mailto: address of an rua URI and the
// external destination check.
//
// RFC 9989 4.7 rua (a list of URIs; only mailto: is used for aggregate reports, RFC 9990
// 3.3), RFC 9990 3.4 (verifying external destinations: when the rua host's Organizational
// Domain differs from the policy domain's, a TXT record starting with v=DMARC1 must exist at
// POLICY-DOMAIN._report._dmarc.RUA-HOST, else the URI is ignored). Untrusted input: the rua
// URIs (from DNS, through the store) and DNS answers. An address is accepted only when it
// cannot be read as a sendmail option or split into two (atext characters, one "@", a checked
// domain). A "!size" suffix (RFC 7489 6.4: digits and an optional k, m, g or t, powers of
// two; the number fits in 64 bits) is the address's size limit: RFC 9989 keeps it only as
// obsolete syntax that reporters should ignore, but it is the destination saying what it can
// take, so a report over it is withheld from that address (docs/dmarc.md "Reporting"); a
// suffix that is not that syntax makes the URI unusable. One rule for both report kinds
// (size_limit_problem): aggregate report mail (run.hpp) and failure reports
// (verifier/failure_sender.hpp) are measured as they travel in SMTP, signature included, and
// are withheld, not cut, when over. Limits: kMaxAddressOctets; the
// checked name is at most dmarc::kMaxDomainOctets; a size over 2^64-1 octets is no limit.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dns/resolver.hpp"

#include <asio/awaitable.hpp>

#include <cstdint>
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
  std::optional<std::uint64_t> max_bytes;  // the "!size" suffix, in octets
};

// parse_size_limit - RFC 7489 6.4 "10m" -> 10485760; nullopt when not that syntax.
std::optional<std::uint64_t> parse_size_limit(std::string_view text);

// mailto_address - the address of `uri` ("mailto:dmarc@example.com", "mailto:a@b.example!10m"),
// nullopt when it is not a usable mailto: URI.
std::optional<MailtoAddress> mailto_address(std::string_view uri);

// wire_octets - the size of `message` in SMTP, where sendmail turns each LF into CRLF.
std::uint64_t wire_octets(std::string_view message);

// size_limit_problem - why `message` may not go to `to` ("report mail of N octets is over the
// address's !size limit of M octets", or over `ours`, named `ours_name`; ours = 0: no limit
// of ours), nullopt when it may: RFC 7489 6.2, a report goes to a URI "so long as the report
// payload does not exceed" its size.
std::optional<std::string> size_limit_problem(const MailtoAddress& to, std::string_view message,
                                              std::uint64_t ours, std::string_view ours_name);

// Authorization - the outcome of the external destination check.
enum class Authorization { same_domain, authorized, refused, temporary };
std::string_view to_string(Authorization a);

// authorize_destination - RFC 9990 3.4 for `policy_domain` sending to `destination_domain`.
asio::awaitable<Authorization> authorize_destination(dmarc::Discovery& discovery,
                                                     dns::Resolver& resolver,
                                                     std::string policy_domain,
                                                     std::string destination_domain);

}  // namespace postseal::dmarc_report
