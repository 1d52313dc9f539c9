// signing_table.hpp - which keys sign mail from which From address ([[signer.sender]], see
// sender_rows.hpp) or From domain ([[signer.domain]]).
//
// Untrusted input: the config file and key files (local admin); at lookup time the From
// mailbox of a message (domain already lower-cased and validated by from_domain.hpp). Keys are loaded
// once (start-up or SIGHUP) and refused when group/other-readable, naming the file and the
// chmod that fixes it, or when RSA under 1024 bits; an RSA key under 2048 bits loads and the
// table carries a warning naming its file (docs/security.md 18), which the daemon logs and
// `postseal check-config` prints. A table is immutable once built; sessions share it by
// shared_ptr, so a reload swaps the pointer without touching messages in flight. The table
// carries signer.multiple_signatures, so a reload picks it up with the rows; which rows sign a
// message is signature_plan.hpp's rule.
#pragma once

#include "core/dkim/message_signer.hpp"
#include "core/domainkeys/dk_signer.hpp"
#include "signer/filter/filter_config.hpp"
#include "signer/filter/sender_pattern.hpp"

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::signer {

// DomainPolicy - how one domain (and optionally its subdomains) signs.
struct DomainPolicy {
  std::string domain;
  std::vector<dkim::SignerKey> keys;  // RSA + Ed25519 = dual signatures
  dkim::SignOptions options;
  bool subdomains = false;            // sign a.example.com with example.com's keys (d=example.com)
  bool require_signature = false;     // tempfail instead of passing unsigned
  // domainkeys - set when the domain opts in (domainkeys = true): also add a
  // DomainKey-Signature (RFC 4870) with the domain's RSA key.
  std::optional<domainkeys::DkSignOptions> domainkeys;
};

// SenderPolicy - one [[signer.sender]] row: mail whose From address matches `pattern` signs
// with `policy` (policy.domain is d=, policy.options.identity i=) instead of its domain's row.
struct SenderPolicy {
  SenderPattern pattern;
  DomainPolicy policy;
};

class SigningTable {
 public:
  explicit SigningTable(std::vector<DomainPolicy> policies, std::vector<std::string> warnings = {})
      : policies_(std::move(policies)), warnings_(std::move(warnings)) {}
  // senders are kept most specific first (sender_pattern.hpp's specificity()).
  SigningTable(std::vector<DomainPolicy> policies, std::vector<SenderPolicy> senders,
               std::vector<std::string> warnings, bool multiple_signatures = false);
  // lookup - the policy for a From domain: exact match first, then the nearest parent that
  // signs subdomains; null when the domain is not ours.
  const DomainPolicy* lookup(std::string_view from_domain) const;
  // domain_rows - the domain rows that sign `domain`, nearest first: its own, then each parent
  // with subdomains = true (the one rule lookup() and matching_rows() share).
  std::vector<const DomainPolicy*> domain_rows(std::string_view domain) const;
  // lookup_sender - the policy for a From address: the most specific [[signer.sender]] row
  // that matches (sender_pattern.hpp; `local` as the mailbox parser gives it, quoted or not),
  // else lookup(domain); null when neither signs it. matching_rows().front().
  const DomainPolicy* lookup_sender(std::string_view local, std::string_view domain) const;
  // matching_rows - every row that signs mail from `local`@`domain`, most specific first: the
  // matching sender rows, then domain_rows(domain).
  std::vector<const DomainPolicy*> matching_rows(std::string_view local, std::string_view domain) const;
  // multiple_signatures - signer.multiple_signatures: every matching row signs, not the first.
  bool multiple_signatures() const { return multiple_signatures_; }
  std::size_t size() const { return policies_.size(); }
  const std::vector<DomainPolicy>& policies() const { return policies_; }
  const std::vector<SenderPolicy>& senders() const { return senders_; }
  // domains - every policy's domain and every sender row's d= (the metrics' domain labels).
  std::vector<std::string> domains() const;
  // publish_metrics - the domains and key files in the metrics (domain labels, key ages).
  void publish_metrics() const;
  // warnings - what loading the keys found worth saying but not refusing (small RSA keys).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::vector<DomainPolicy> policies_;
  std::vector<SenderPolicy> senders_;
  std::vector<std::string> warnings_;
  bool multiple_signatures_ = false;
};

// build_signing_table - from the file's [[signer.domain]] tables plus --key options (which
// override a file domain of the same name), its [[signer.sender]] tables and
// signer.multiple_signatures; error: every
// problem, naming file and key (and line, for sender rows). The table's warnings() are for
// the caller to log.
std::expected<std::shared_ptr<const SigningTable>, std::string> build_signing_table(
    const config::File* file, const std::vector<KeyOption>& keys);

// parse_canonicalization - "relaxed/simple" -> header, body; "relaxed" = relaxed/simple.
std::expected<std::pair<dkim::Canon, dkim::Canon>, std::string> parse_canonicalization(std::string_view text);

}  // namespace postseal::signer
