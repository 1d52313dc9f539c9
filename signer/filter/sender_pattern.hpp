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
// lookup walks (user@host, host, user@.parent, .parent). A local part is compared in its
// unquoted, unescaped form on both sides (core/mail/address.hpp unquoted_local_part; RFC 5322
// 3.4.1, RFC 5321 4.1.2): "\"john doe\"@example.com" and "\"john\\ doe\"@example.com" are one
// mailbox, and "\"alice\"@example.com" is alice@example.com. Untrusted input: the config value
// (local admin) and, at lookup, the From mailbox (already parsed by core/mail/address.hpp).
// Limits, on the unquoted form: kMaxSenderAddressOctets (RFC 5321 4.5.3.1.3),
// kMaxSenderLocalPartOctets (4.5.3.1.1); the text as written may be twice as long plus the
// quotes (kMaxSenderPatternTextOctets: every octet of a quoted local part escaped).
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::signer {

// kMaxSenderAddressOctets - the longest address pattern (a forward-path holds 254 octets).
inline constexpr std::size_t kMaxSenderAddressOctets = 254;
// kMaxSenderLocalPartOctets - the longest local part of a pattern (unquoted).
inline constexpr std::size_t kMaxSenderLocalPartOctets = 64;
// kMaxSenderPatternTextOctets - the longest pattern as written (quotes and backslashes count).
inline constexpr std::size_t kMaxSenderPatternTextOctets = 2 * kMaxSenderAddressOctets + 2;

// SenderPattern - one parsed address pattern; local (unquoted) and domain lower-cased.
struct SenderPattern {
  std::string local;         // empty: any local part ("*"); else unquoted, unescaped
  std::string domain;        // the domain, or the parent when `below` is set
  bool below = false;        // "*.domain": a subdomain of `domain`, not `domain` itself
  std::string text() const;  // back to "local@domain" form, the local part quoted if it must be
};

// parse_sender_pattern - "alice@example.com", "\"john doe\"@example.com", "*@example.com",
// "*@*.example.com", "alice@*.example.com"; the error says what is wrong (no '@', a '*'
// elsewhere, an unterminated quoted string, too long...).
std::expected<SenderPattern, std::string> parse_sender_pattern(std::string_view text);

// matches - `local`@`domain` (domain lower-case, as the mailbox parser gives it; local part
// unquoted, see comparable_local_part) matches.
bool matches(const SenderPattern& p, std::string_view local, std::string_view domain);

// comparable_local_part - a From mailbox's local part as matches() takes it: unquoted and
// unescaped (core/mail/address.hpp); a local part that does not unquote is compared as written.
std::string comparable_local_part(std::string_view local);

// covers - every address `b` matches, `a` matches too (an earlier OpenDKIM refile row `a`
// hides a later `b` when MultipleSignatures is off: `postseal import opendkim` says so).
bool covers(const SenderPattern& a, const SenderPattern& b);

// specificity - larger is more specific: an exact domain beats any parent, a nearer parent a
// farther one, and then an exact local part beats "*".
std::size_t specificity(const SenderPattern& p);

}  // namespace postseal::signer
