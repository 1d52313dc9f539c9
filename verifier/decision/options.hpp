// options.hpp - the inbound policy options shared by the policy service, proxy and milter.
//
// Meanings follow postfix-policyd-spf-python (policyd-spf.conf): helo_reject and
// mail_from_reject (fail, softfail, not_pass, null, none, no_check), permerror_reject,
// temperror_defer, skip_addresses, whitelist, domain_whitelist, domain_whitelist_ptr; plus
// trusted_forwarders (backup MX and forwarders whose relayed mail is not SPF-checked),
// skip_authenticated (SASL-authenticated clients are not checked, as smf-spf does),
// helo_whitelist (HELO_Whitelist: a listed HELO name whose A/AAAA holds the client address is
// not checked), test_only (TestOnly = 0: headers only, never reject or defer; the verdict
// that would have been is logged), hide_receiver (Hide_Receiver: receiver=<UNKNOWN>),
// reason_message (Reason_Message: the reject/defer text with {rejectdefer} {spf} {url}),
// header_type and authserv_id. Defaults follow postfix-policyd-spf-perl (docs/compat.md, seed 000): reject
// on fail, DEFER_IF_PERMIT on temperror, a Received-SPF header for everything else,
// localhost skipped. Untrusted input: the option words come from the config file or the
// command line; a bad word is a start-up error naming the option.
#pragma once

#include "core/net/address_list.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::decision {

// RejectPolicy - when an identity's SPF result rejects the message.
enum class RejectPolicy {
  fail,      // reject on fail
  softfail,  // reject on fail and softfail
  not_pass,  // reject unless pass, none or temperror
  null,      // HELO only: reject on fail when the envelope sender is null
  none,      // never reject on this identity: header only ("False" in policyd-spf.conf)
  no_check,  // do not check this identity at all
};
std::string_view to_string(RejectPolicy p);
// parse_reject_policy - our words and policyd-spf.conf's (SPF_Not_Pass, False, No_Check...).
std::expected<RejectPolicy, std::string> parse_reject_policy(std::string_view word);

// HeaderType - which header documents the SPF result.
enum class HeaderType { received_spf, authentication_results };
std::expected<HeaderType, std::string> parse_header_type(std::string_view word);

// kDefaultCacheTtlSeconds / kMaxCacheTtlSeconds - how long an SPF result is reused.
inline constexpr std::int64_t kDefaultCacheTtlSeconds = 300;
inline constexpr std::int64_t kMaxCacheTtlSeconds = 86400;
// kDefaultCacheEntries / kMaxCacheEntries - results the cache holds at most.
inline constexpr std::size_t kDefaultCacheEntries = 10000;
inline constexpr std::size_t kMaxCacheEntries = 1000000;
// kMaxDomainListEntries - names one domain list may hold.
inline constexpr std::size_t kMaxDomainListEntries = 10000;

// Options - one front end's policy.
struct Options {
  RejectPolicy helo_reject = RejectPolicy::fail;
  RejectPolicy mail_from_reject = RejectPolicy::fail;
  bool permerror_reject = false;
  bool temperror_defer = true;
  bool skip_authenticated = true;  // SASL-authenticated clients are not checked
  net::AddressList skip_addresses;      // not checked; localhost always skipped as well
  net::AddressList whitelist;           // client networks not checked
  net::AddressList trusted_forwarders;  // backup MX / forwarders: their relayed mail is not checked
  std::vector<std::string> domain_whitelist;      // client passes SPF for one of these: skip
  std::vector<std::string> domain_whitelist_ptr;  // validated client name in these: skip
  std::vector<std::string> helo_whitelist;  // HELO names whose forward-confirmed hosts: skip
  bool test_only = false;                   // never reject or defer; log what would have been
  bool hide_receiver = false;               // receiver=<UNKNOWN> in Received-SPF
  std::string reason_message;               // reject/defer text template; empty: the default
  HeaderType header_type = HeaderType::received_spf;
  std::string authserv_id;  // A-R authserv-id; also the receiver= of Received-SPF
  std::int64_t cache_ttl_seconds = kDefaultCacheTtlSeconds;  // 0 disables the cache
  std::size_t cache_entries = kDefaultCacheEntries;
};

// kMaxReasonMessageOctets - the longest reason_message template (an SMTP reply line is 512).
inline constexpr std::size_t kMaxReasonMessageOctets = 300;
// kReasonUrl - what {url} of reason_message stands for: the SPF specification.
inline constexpr std::string_view kReasonUrl = "https://www.rfc-editor.org/rfc/rfc7208";
// check_reason_message - printable, bounded, and only {rejectdefer} {spf} {url} {domain}
// {identity} {ip} as placeholders (policyd-spf's three plus three of ours).
std::expected<void, std::string> check_reason_message(std::string_view text);
// format_reason_message - the template with its placeholders filled in.
std::string format_reason_message(std::string_view text, std::string_view rejectdefer,
                                  std::string_view spf, std::string_view domain,
                                  std::string_view identity, std::string_view ip);

// parse_domain_list - "a.example, b.example" -> lower-case names without final dots.
std::expected<std::vector<std::string>, std::string> parse_domain_list(std::string_view text);

// domain_matches - whether `name` is `domain` or a subdomain of it (case-insensitive).
bool domain_matches(std::string_view name, std::string_view domain);

}  // namespace postseal::decision
