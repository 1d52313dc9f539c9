// message_verifier.hpp - verify every DKIM-Signature of one message, body streamed.
//
// RFC 6376 6 (verifier actions), 5.4.2 (header instances counted bottom-up, absent ones hash
// nothing), 3.7 (the signature field hashed with b= emptied, no trailing CRLF), RFC 8463
// (ed25519-sha256), RFC 8301 (rsa-sha1 and RSA keys under min_rsa_bits fail). Untrusted input:
// the message and the key records from DNS. Limits (docs/security.md 21-28): at most max_signatures
// signatures are verified (the rest are reported as `policy`, not checked), so at most that
// many DNS lookups; one BodyHasher per distinct (c=, l=) pair (plus the unlimited one of the
// same c= when l= is used, which measures the whole body), so the body is canonicalized once
// per pair however many signatures share it.
//
// Choices where the RFCs leave room (documented for admins):
// - l= shorter than the canonical body: a valid signature gives `policy` ("l= covers only N
//   of M body octets"), never `pass`; l= longer than the body gives `fail`.
// - x= in the past (beyond clock_skew) gives `fail` "signature expired"; t= in the future
//   beyond clock_skew gives `permerror`.
// - two or more From fields (or none) give `permerror` for every signature.
// - DNS timeout or SERVFAIL gives `temperror`; NXDOMAIN or no TXT gives `permerror` "no key".
#pragma once

#include "core/dkim/key_cache.hpp"
#include "core/dkim/verify_result.hpp"
#include "core/dns/resolver.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"

#include <asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::dkim {

// kMaxSignaturesBound - the largest max_signatures a config may ask for.
inline constexpr std::size_t kMaxSignaturesBound = 50;
// kMaxClockSkew - the largest clock_skew (seconds) a config may ask for.
inline constexpr std::int64_t kMaxClockSkew = 86400;
// kMaxKeyRecordsTried - TXT records at one key name tried before giving up.
inline constexpr std::size_t kMaxKeyRecordsTried = 4;

struct VerifyOptions {
  std::size_t max_signatures = 5;   // signatures verified per message (docs/security.md 26)
  std::int64_t clock_skew = 300;    // seconds of tolerance for t= and x=
  int min_rsa_bits = 1024;          // RFC 8301 3.2
  KeyCache* key_cache = nullptr;    // nullptr: KeyCache::shared()
};

// MessageVerifier - one per message: headers(), body() chunks, then finish().
class MessageVerifier {
 public:
  MessageVerifier(VerifyOptions options, const Clock& clock);
  ~MessageVerifier();
  MessageVerifier(MessageVerifier&&) noexcept;
  MessageVerifier& operator=(MessageVerifier&&) noexcept;

  // headers - find and parse the DKIM-Signature fields; call once, before body().
  void headers(const std::vector<mail::HeaderField>& fields);
  // body - body octets with CRLF line ends, dot-unstuffed, split anywhere.
  void body(std::string_view chunk);
  // finish - one result per DKIM-Signature field, top to bottom; empty when there are none.
  asio::awaitable<std::vector<SignatureResult>> finish(dns::Resolver& resolver);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// verify_config_keys - dkim.max_signatures, dkim.clock_skew, dkim.min_rsa_bits
// (documented in conf/postseal.d/dkim.toml).
std::span<const config::Key> verify_config_keys();
// options_from_config - VerifyOptions from a loaded config file.
VerifyOptions options_from_config(const config::File& file);

}  // namespace postseal::dkim
