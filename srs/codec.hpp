// codec.hpp - the Sender Rewriting Scheme codec: forward (rewrite) and reverse (verify, undo).
//
// Implements the guarded scheme of Shevek's "Sender Rewriting Scheme" paper (srs.pdf, 2004)
// as libsrs2, Mail::SRS::Guarded, pysrs and postsrsd 1.x do:
//   SRS0<sep>HASH=TT=HOST=LOCAL@ALIAS            for an ordinary sender LOCAL@HOST
//   SRS1<sep>HASH=HOST=<osep>REST@ALIAS          for a sender SRS0<osep>REST@HOST of another
//                                                forwarder (or the SRS1 of one, re-signed)
// HASH = first hash_length characters of base64(HMAC-SHA1(secret, lower-cased fields)),
// compared case-insensitively in constant time; TT = day number (UTC) mod 1024 as two base32
// characters (A-Z2-7); valid while 0 <= (today - TT) mod 1024 <= max_age days.
//
// Choices where the peers disagree (tests/data/srs/README.md):
//  - D01, a hash longer than hash_length whose prefix is right: every character presented
//    must match (Mail::SRS, pysrs), so a padded hash is rejected as bad hash.
//  - D02, a bad base32 stamp character: the hash is checked before the stamp is read (only
//    authenticated fields are interpreted), so it is a bad hash.
//  - Local part over 64 octets (RFC 5321 4.5.3.1.1): produced anyway, as every peer does
//    (vector F08); an address over kMaxAddressOctets (254, RFC 5321 4.5.3.1.3 less the angle
//    brackets), whether the input or the result, is refused as too long, so Postfix keeps the
//    original sender rather than emit an address no MTA accepts.
// Untrusted input: the addresses (from the network, via Postfix). Limits: kMaxAddressOctets
// on input and output, so the cost of a reverse is bounded (CVE-2020-35573: a 1,000-char
// stamp is refused before any work).
#pragma once

#include "core/util/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::srs {

// kMaxAddressOctets - longest address read or produced (RFC 5321 path 256 less "<>").
inline constexpr std::size_t kMaxAddressOctets = 254;
// kMaxLocalPartOctets - RFC 5321 4.5.3.1.1; longer SRS local parts are produced (see above).
inline constexpr std::size_t kMaxLocalPartOctets = 64;
// kMinHashLength / kMaxHashLength - bounds of hash_length (base64 of 20 octets: 27 chars).
inline constexpr int kMinHashLength = 1;
inline constexpr int kMaxHashLength = 27;
// kStampDays - day stamps wrap every 1024 days (two base32 characters).
inline constexpr int kStampDays = 1024;
// kMaxAgeLimit - a max_age above this would make the wrap ambiguous.
inline constexpr int kMaxAgeLimit = 1000;
// kMaxSecretOctets / kMaxSecrets - bounds on the secrets list.
inline constexpr std::size_t kMaxSecretOctets = 1024;
inline constexpr std::size_t kMaxSecrets = 64;

// SrsError - why a rewrite did not happen.
enum class SrsError {
  not_srs,   // reverse of an address that is not SRS0/SRS1 (or malformed)
  bad_hash,  // MAC wrong, shorter than hash_length, or signed by an unknown secret
  expired,   // stamp older than max_age days or from the future
  no_at,     // no '@', empty local part or empty domain
  too_long,  // input or result longer than kMaxAddressOctets
  control,   // a control character (NUL, CR, LF...) in the address: Postfix would cut it
};

// error_name - "not SRS", "bad hash", "expired", "no @", "too long", "control character".
std::string_view error_name(SrsError e);

// SrsFailure - the class and a reason a human can act on.
struct SrsFailure {
  SrsError error;
  std::string reason;
};

using SrsResult = std::expected<std::string, SrsFailure>;

// SrsOptions - the scheme's parameters.
struct SrsOptions {
  char separator = '=';  // one of = + -
  int hash_length = 4;   // characters of the hash written, and the minimum accepted
  int max_age = 21;      // days a stamp stays valid
};

// check_options - a reason when an option is out of bounds.
std::expected<void, std::string> check_options(const SrsOptions& o);

// SrsCodec - forward and reverse with a list of secrets (the first signs, all verify).
class SrsCodec {
 public:
  // The secrets list must be non-empty and the options valid (checked by the caller at start-up).
  SrsCodec(SrsOptions options, const std::vector<std::string>& secrets, const Clock& clock);
  ~SrsCodec();
  SrsCodec(SrsCodec&&) noexcept;
  SrsCodec& operator=(SrsCodec&&) noexcept;

  // forward - rewrite `sender` into `alias` (a domain, or an address whose domain is used).
  // A sender already in `alias` comes back unchanged.
  SrsResult forward(std::string_view sender, std::string_view alias) const;
  // reverse - the address an SRS0/SRS1 address stands for, if its hash and stamp are good.
  SrsResult reverse(std::string_view address) const;

  // stamp - today's two-character day stamp.
  std::string stamp() const;
  const SrsOptions& options() const { return options_; }

 private:
  struct Keys;
  std::string hash(std::size_t secret, std::string_view a, std::string_view b,
                   std::string_view c) const;
  bool hash_matches(std::string_view given, std::string_view a, std::string_view b,
                    std::string_view c) const;
  SrsResult reverse_srs0(std::string_view rest) const;
  SrsResult reverse_srs1(std::string_view rest) const;
  SrsResult check_stamp(std::string_view stamp) const;

  SrsOptions options_;
  std::unique_ptr<Keys> keys_;
  const Clock* clock_;
};

// Helpers shared with tests.
// encode_stamp - day number -> two base32 characters.
std::string encode_stamp(std::int64_t unix_time);
// decode_stamp - two base32 characters (any case) -> 0..1023, or -1.
int decode_stamp(std::string_view stamp);
// constant_time_iequals - case-insensitive compare whose time depends on the length only.
bool constant_time_iequals(std::string_view a, std::string_view b);

}  // namespace postseal::srs
