// signature.hpp - parse a DKIM-Signature field value into a struct with RFC-named fields.
//
// RFC 6376 3.5 (the DKIM-Signature tags), 3.2 (tag lists), 6.1.1 (validation of the field),
// RFC 8301 (rsa-sha1 is parsed so the verifier can fail it with a reason), RFC 8463
// (ed25519-sha256). Untrusted input: the field value from the message. Strict: required tags
// v a b bh d h s, v=1, a known algorithm, c= known, q= dns/txt, d= and s= LDH host names (so a
// NUL, ';' or other junk never reaches DNS, docs/security.md 25), i= within d=, From in h=, base64
// checked, t=/x= as decimal with overflow checks (at most kMaxTimestampDigits), x= >= t=.
// Every failure is a permerror with a reason. The same struct is what the signer fills in and
// renders (signature_writer.hpp), so one set of names and defaults serves both directions.
#pragma once

#include "core/dkim/canonicalize.hpp"
#include "core/util/hostname.hpp"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dkim {

// kMaxTimestampDigits - t=/x= longer than this do not fit in int64 and are refused.
inline constexpr std::size_t kMaxTimestampDigits = 18;
// kMaxBodyLengthDigits - l= longer than this does not fit in uint64 and is refused.
inline constexpr std::size_t kMaxBodyLengthDigits = 19;
// kMaxSignedHeaders - entries in h= (a longer list is an attack on CPU, not a signature).
inline constexpr std::size_t kMaxSignedHeaders = 256;

enum class Algorithm { rsa_sha256, rsa_sha1, ed25519_sha256 };
std::string_view to_string(Algorithm a);

// Signature - one parsed DKIM-Signature; names follow RFC 6376 3.5.
struct Signature {
  int v = 1;
  Algorithm a = Algorithm::rsa_sha256;
  std::string b;                    // decoded signature
  std::string b_text;               // b= as written, FWS removed (header.b)
  std::string bh;                   // decoded body hash
  Canon header_canon = Canon::simple;
  Canon body_canon = Canon::simple;
  std::string d;                    // signing domain, as written
  std::vector<std::string> h;       // signed header field names, as written
  std::string i;                    // AUID; "@" + d when absent
  std::optional<std::uint64_t> l;   // body length limit
  std::string q = "dns/txt";
  std::string s;                    // selector
  std::optional<std::int64_t> t;    // signature timestamp
  std::optional<std::int64_t> x;    // expiry
  std::string z;                    // copied header fields (diagnostic only)
  // how the optional parts are written: i= and q= only when given (i holds "@" + d and q
  // "dns/txt" otherwise), h= as "a : b" rather than "a:b"
  bool i_written = false;
  bool q_written = false;
  bool h_spaced = false;
};

// parse_signature - the value of a DKIM-Signature field (after the colon) -> Signature, or
// the permerror reason.
std::expected<Signature, std::string> parse_signature(std::string_view value);

// is_hostname - RFC 6376 3.5 d= / s=: sub-domain *("." sub-domain), LDH labels.
bool is_hostname(std::string_view name);

}  // namespace postseal::dkim
