// lint.hpp - `postseal spf --lint DOMAIN`: what is wrong or risky in a published SPF policy.
//
// Follows include: and redirect= statically (without a client IP) and reports: syntax errors
// (with the reason), the DNS-querying terms against the limit of 10 (RFC 7208 4.6.4), void
// lookups against the limit of 2, MX names over 10, records over 450 octets (RFC 7208 3.4:
// may not fit a 512-octet UDP answer) and over 512 octets (need TCP), several v=spf1 records,
// and the deprecated ptr mechanism (RFC 7208 5.5). Input: DNS answers (untrusted); the walk
// is bounded by kMaxLintRecords records and kMaxRecursion nesting.
#pragma once

#include "core/dns/resolver.hpp"
#include "verifier/spf/spf.hpp"

#include <string>
#include <vector>

namespace postseal::spf {

inline constexpr std::size_t kRecordLengthAdvice = 450;
inline constexpr std::size_t kRecordLengthUdp = 512;
// kMaxLintRecords - records fetched by one lint run.
inline constexpr int kMaxLintRecords = 50;

enum class LintLevel { info, warning, error };

struct LintFinding {
  LintLevel level = LintLevel::info;
  std::string domain;
  std::string message;
};

struct LintReport {
  std::vector<LintFinding> findings;
  int dns_terms = 0;
  int void_lookups = 0;
  bool temporary = false;  // a DNS failure kept the report from being complete
  bool has_errors() const;
};

// lint - the report for `domain`; `record_override` replaces its published record if not empty.
asio::awaitable<LintReport> lint(dns::Resolver& resolver, std::string domain,
                                 std::string record_override = {});

std::string_view to_string(LintLevel level);

}  // namespace postseal::spf
