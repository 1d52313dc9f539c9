// spf.hpp - SPF (RFC 7208) results, queries, limits and the check_host() entry points.
//
// check_host() (RFC 7208 4) evaluates the SPF policy of a domain for a client IP and a sender
// over an asynchronous dns::Resolver. Every input is untrusted: the sender and HELO come from
// the SMTP peer, the records and explanation texts from DNS. The limits of RFC 7208 4.6.4
// (10 DNS-querying terms across include/redirect, 2 void lookups, 10 MX/PTR names) and an
// overall time cap are named constants below; exceeding them gives permerror (terms, void,
// MX) or temperror (time), never an unbounded loop.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/util/clock.hpp"
#include "core/util/hostname.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace postseal::spf {

// RFC 7208 4.6.4: at most 10 mechanisms/modifiers that query DNS per evaluation.
inline constexpr int kMaxDnsTerms = 10;
// RFC 7208 4.6.4: at most 2 lookups that answer NXDOMAIN or no records.
inline constexpr int kMaxVoidLookups = 2;
// RFC 7208 4.6.4: at most 10 MX names (mx) and 10 PTR names (ptr, %{p}) are looked at.
inline constexpr int kMaxMxNames = 10;
inline constexpr int kMaxPtrNames = 10;
// RFC 7208 4.6.4: the whole evaluation is bounded in time (at least 20 s suggested).
inline constexpr std::int64_t kDefaultTimeCapSeconds = 20;
// Explanations (RFC 7208 6.2) copied into headers and replies are cut to this many octets.
inline constexpr std::size_t kMaxExplanationLength = 256;
// Nesting guard for include/redirect (the term limit stops loops first; this bounds the stack).
inline constexpr int kMaxRecursion = 12;

// SpfResult - RFC 7208 2.6 results (RFC 8601 names).
enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };

std::string_view to_string(SpfResult result);
// parse_result - the inverse of to_string (for test vectors); false if unknown.
bool parse_result(std::string_view text, SpfResult& out);

// SpfQuery - the inputs of one check_host() call (RFC 7208 4.1).
struct SpfQuery {
  asio::ip::address ip;    // the SMTP client; IPv4-mapped IPv6 is treated as IPv4
  std::string sender;      // "local@domain" (MAIL FROM, or postmaster@helo for HELO checks)
  std::string helo;        // the HELO/EHLO name (%{h})
  std::string receiver;    // this host's name (%{r}); "unknown" if empty
  std::string domain;      // the domain whose policy is checked; empty: the sender's domain
};

// SpfOutcome - what check_host() found.
struct SpfOutcome {
  SpfResult result = SpfResult::none;
  std::string mechanism;    // the term that decided ("-all", "ip4:192.0.2.0/24", "default")
  std::string explanation;  // fail only: the exp= text, expanded, safe; empty if none
  std::string reason;       // permerror/temperror/none: why
  std::string domain;       // the domain whose record decided
  int dns_terms = 0;        // DNS-querying terms counted (RFC 7208 4.6.4)
  int void_lookups = 0;
};

// SpfTrace - receives one line per DNS query and per counted term (postseal spf --trace).
using SpfTrace = std::function<void(std::string_view)>;

// SpfOptions - limits and injected dependencies of one evaluation.
struct SpfOptions {
  int max_dns_terms = kMaxDnsTerms;
  int max_void_lookups = kMaxVoidLookups;
  std::int64_t time_cap_seconds = kDefaultTimeCapSeconds;
  const Clock* clock = nullptr;  // nullptr: the system clock
  SpfTrace trace;                // empty: no trace
  // record_override - evaluate this text as the record of the query's domain instead of
  // looking it up (`postseal spf --record`).
  std::string record_override;
};

asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query);
asio::awaitable<SpfOutcome> check_host(dns::Resolver& resolver, const SpfQuery& query,
                                       const SpfOptions& options);

// sender_domain - the part after the last '@' (RFC 7208 4.1), or the whole text if none.
std::string_view sender_domain(std::string_view sender);
// valid_domain - RFC 7208 4.3: a name check_host() may look up (labels 1-63 octets, at least
// two labels, at most 253 octets without a final dot, no domain literal).
bool valid_domain(std::string_view domain);
// normalize_ip - IPv4-mapped IPv6 addresses become IPv4 (RFC 7208 5).
asio::ip::address normalize_ip(const asio::ip::address& ip);

}  // namespace postseal::spf
