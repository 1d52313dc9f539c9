// sender_pattern.hpp - the address patterns of [[signer.sender]] (per-address signing, the
// OpenDKIM SigningTable forms docs/migration.md lists): "alice@example.com" (one address),
// "*@example.com" (every sender of that domain), "alice@*.example.com" and "*@*.example.com"
// (senders of any domain below example.com, not example.com itself).
//
// Matching follows OpenDKIM's SigningTable (docs/migration.md, "Per-address signing"): the
// whole address is compared without regard to case, local part included (OpenDKIM opens the
// table case-insensitively: strcasecmp for file:, REG_ICASE for refile:), and no "+detail"
// is stripped. Precedence (specificity()): the most specific domain first (exact domain, then
// the nearest parent), then an exact local part before "*" - the order OpenDKIM's plain-file
// lookup walks (user@host, host, user@.parent, .parent). Untrusted input: the config value
// (local admin) and, at lookup, the From mailbox (already parsed by core/mail/address.hpp).
// Limits: kMaxSenderAddressOctets (RFC 5321 4.5.3.1.3), kMaxSenderLocalPartOctets (4.5.3.1.1).
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::signer {

// kMaxSenderAddressOctets - the longest address pattern (a forward-path holds 254 octets).
inline constexpr std::size_t kMaxSenderAddressOctets = 254;
// kMaxSenderLocalPartOctets - the longest local part of a pattern.
inline constexpr std::size_t kMaxSenderLocalPartOctets = 64;

// SenderPattern - one parsed address pattern; local and domain lower-cased.
struct SenderPattern {
  std::string local;         // empty: any local part ("*")
  std::string domain;        // the domain, or the parent when `below` is set
  bool below = false;        // "*.domain": a subdomain of `domain`, not `domain` itself
  std::string text() const;  // back to "local@domain" form
};

// parse_sender_pattern - "alice@example.com", "*@example.com", "*@*.example.com",
// "alice@*.example.com"; the error says what is wrong (no '@', a '*' elsewhere, too long...).
std::expected<SenderPattern, std::string> parse_sender_pattern(std::string_view text);

// matches - `local`@`domain` (domain lower-case, as the mailbox parser gives it) matches.
bool matches(const SenderPattern& p, std::string_view local, std::string_view domain);

// covers - every address `b` matches, `a` matches too (an earlier OpenDKIM refile row `a`
// hides a later `b` when MultipleSignatures is off: `postseal import opendkim` says so).
bool covers(const SenderPattern& a, const SenderPattern& b);

// specificity - larger is more specific: an exact domain beats any parent, a nearer parent a
// farther one, and then an exact local part beats "*".
std::size_t specificity(const SenderPattern& p);

}  // namespace postseal::signer
