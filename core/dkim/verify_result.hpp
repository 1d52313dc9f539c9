// verify_result.hpp - the outcome of verifying one DKIM signature, with RFC 8601 names.
//
// RFC 8601 2.7.1 (dkim result values), RFC 6008 (header.b), RFC 6376 6.1 (what a verifier
// reports). A SignatureResult carries the result, a short reason (always set unless pass), the
// RFC 6376 check a failed signature did not pass where a report tells it apart (Failure: RFC
// 6591 3.1's bodyhash / revoked / signature) and the signature's RFC-named properties.
// format_result() renders one A-R resinfo ("dkim=pass header.d=... header.s=... header.a=...").
// Untrusted input: d=, s=, a=, b=, i= and reasons may come from the message or from DNS; they
// are passed through printable() and dropped from the rendering when they are not tokens.
#pragma once

#include <string>
#include <string_view>

namespace postseal::dkim {

// Result - RFC 8601 2.7.1 dkim result values.
enum class Result { pass, fail, neutral, policy, permerror, temperror, none };
std::string_view to_string(Result r);

// kMaxReasonOctets - a reason is cut to this many octets when rendered.
inline constexpr std::size_t kMaxReasonOctets = 200;

// Failure - which RFC 6376 verification step a failed signature did not pass.
enum class Failure {
  none,         // passed, not evaluated, or failed elsewhere (syntax, time, key, policy)
  key_revoked,  // RFC 6376 6.1.2 (and 3.6.1 p=): the key record's p= is empty, "key revoked"
  body_hash,    // RFC 6376 6.1.3: the body hash computed differs from bh= (or l= exceeds the body)
  signature,    // RFC 6376 6.1.3: b= did not verify over the header hash with the public key
};

// SignatureResult - one signature's outcome.
struct SignatureResult {
  Result result = Result::none;
  std::string reason;              // "body hash mismatch", "key revoked", ...
  std::string d, s, a, b, i;       // header.d, header.s, header.a, header.b, header.i
  Failure failure = Failure::none;
};

// comment_text - a reason made safe inside an RFC 5322 comment: printable, cut to
// kMaxReasonOctets, no parentheses or backslashes (DKIM and DomainKeys results alike).
std::string comment_text(std::string_view reason);

// format_result - "dkim=RESULT header.d=D header.s=S header.a=A" + " (reason)" when not pass
// (the example form of issue 2; header.i and header.b stay in the struct for callers).
std::string format_result(const SignatureResult& r);

}  // namespace postseal::dkim
