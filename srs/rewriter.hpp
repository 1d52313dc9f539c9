// rewriter.hpp - the SRS lookup policy behind both maps: which keys are rewritten.
//
// Postfix asks the forward map (sender_canonical_maps) and the reverse map
// (recipient_canonical_maps) for full addresses, then again with its own result and with
// partial keys ("user", "@domain"). Answers that make rewriting converge:
//  forward: null sender, partial keys, senders in the SRS domain or a local domain (exact
//           "example.com", or ".example.com" for every subdomain) and anything the codec
//           refuses -> not found; else the SRS0/SRS1 address.
//  reverse: partial keys, non-SRS addresses, bad hash, expired or malformed -> not found
//           (never relayed: the recipient stays the SRS address, which the SRS domain does
//           not deliver); else the original address.
// Untrusted input: the lookup key. Limits: those of SrsCodec (kMaxAddressOctets).
#pragma once

#include "srs/codec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postseal::srs {

// Lookup - one map answer; `reason` says why nothing was found (for the log).
struct Lookup {
  bool found = false;
  std::string value;
  std::string reason;
};

class Rewriter {
 public:
  // domain: the SRS domain; local_domains: never rewritten ("d" exact, ".d" subdomains).
  Rewriter(const SrsCodec& codec, std::string domain, std::vector<std::string> local_domains);

  Lookup forward(std::string_view key) const;
  Lookup reverse(std::string_view key) const;
  // is_local - the domain is the SRS domain or matches a local_domains entry.
  bool is_local(std::string_view domain) const;
  const std::string& domain() const { return domain_; }

 private:
  const SrsCodec* codec_;
  std::string domain_;
  std::vector<std::string> local_domains_;
};

}  // namespace postseal::srs
