// dk_verifier.hpp - verify the DomainKey-Signature of a message (RFC 4870 3.6), body streamed.
//
// DomainKeys is historic and SHA-1 only: its result is reported in Authentication-Results
// (RFC 8601 method "domainkeys", with header.d, header.from or header.sender, and header.b)
// and is NEVER used to accept, reject or defer a message.
// The topmost kMaxSignaturesConsidered DomainKey-Signature fields are checked (the rest are
// ignored, bounding DNS lookups and hashing); the result is the first that passes, else the
// topmost one's. Each signature covers the fields below it (filtered by h=) and the body.
// Results: pass; fail (signature mismatch, key under kMinRsaBits); neutral (failed, but the
// key is in testing mode, t=y); permerror (bad tags, no key, revoked key, sender rule
// broken: the Sender-else-From address must be signed and its domain within d=, g= mismatch);
// temperror (DNS timeout or SERVFAIL). Untrusted input: the message and the key record.
#pragma once

#include "core/dkim/verify_result.hpp"
#include "core/dns/resolver.hpp"
#include "core/mail/header.hpp"
#include "core/util/clock.hpp"

#include <asio/awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::domainkeys {

// kMaxSignaturesConsidered - DomainKey-Signature fields checked per message (from the top).
inline constexpr std::size_t kMaxSignaturesConsidered = 3;
// kMinRsaBits / kMaxRsaBits - keys outside these bounds fail / are a permerror.
inline constexpr int kMinRsaBits = 1024;
inline constexpr int kMaxRsaBits = 8192;

// kHeaderBOctets - header.b carries this prefix of b= (RFC 6008 2: at least 8 characters).
inline constexpr std::size_t kHeaderBOctets = 12;

// DkResult - the outcome, with RFC 8601 names (domainkeys: header.d, header.from or
// header.sender; header.b as RFC 6008); s is kept for logs, RFC 8601 registers no header.s here.
struct DkResult {
  dkim::Result result = dkim::Result::none;
  std::string reason;  // empty on a plain pass
  std::string d, s, b;
  std::string identity;        // the signing address (Sender or From), when known
  std::string identity_field;  // "sender" or "from" (header.sender / header.from)
  bool testing = false;        // the key record says t=y
};

// format_result - one Authentication-Results resinfo:
// 'domainkeys=pass header.d=D header.from=ADDR header.b="PREFIX"' (+ " (reason)" when set).
// The address is left out unless it is a plain dot-atom@domain; text is made printable.
std::string format_result(const DkResult& r);

// DkVerifier - one per message: headers(), body chunks, then finish().
class DkVerifier {
 public:
  explicit DkVerifier(const Clock& clock);
  ~DkVerifier();
  DkVerifier(DkVerifier&&) noexcept;
  DkVerifier& operator=(DkVerifier&&) noexcept;

  // headers - every header field of the message, top to bottom (once, before body()).
  void headers(const std::vector<mail::HeaderField>& fields);
  // body - body octets with CRLF line ends, dot-unstuffed, split anywhere.
  void body(std::string_view chunk);
  // finish - look up keys and decide; nullopt when the message has no DomainKey-Signature.
  asio::awaitable<std::optional<DkResult>> finish(dns::Resolver& resolver);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace postseal::domainkeys
