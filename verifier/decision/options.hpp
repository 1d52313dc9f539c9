// options.hpp - the inbound policy options shared by the policy service, proxy and milter.
//
// Meanings follow postfix-policyd-spf-python (policyd-spf.conf): helo_reject and
// mail_from_reject (fail, softfail, not_pass, null, none, no_check), permerror_reject,
// temperror_defer, skip_addresses, whitelist, domain_whitelist, domain_whitelist_ptr; plus
// trusted_forwarders (backup MX and forwarders whose relayed mail is not SPF-checked),
// header_type and authserv_id. Defaults follow postfix-policyd-spf-perl (seed 000): reject
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
  net::AddressList skip_addresses;      // not checked; localhost always skipped as well
  net::AddressList whitelist;           // client networks not checked
  net::AddressList trusted_forwarders;  // backup MX / forwarders: their relayed mail is not checked
  std::vector<std::string> domain_whitelist;      // client passes SPF for one of these: skip
  std::vector<std::string> domain_whitelist_ptr;  // validated client name in these: skip
  HeaderType header_type = HeaderType::received_spf;
  std::string authserv_id;  // A-R authserv-id; also the receiver= of Received-SPF
  std::int64_t cache_ttl_seconds = kDefaultCacheTtlSeconds;  // 0 disables the cache
  std::size_t cache_entries = kDefaultCacheEntries;
};

// parse_domain_list - "a.example, b.example" -> lower-case names without final dots.
std::expected<std::vector<std::string>, std::string> parse_domain_list(std::string_view text);

// domain_matches - whether `name` is `domain` or a subdomain of it (case-insensitive).
bool domain_matches(std::string_view name, std::string_view domain);

}  // namespace postseal::decision
