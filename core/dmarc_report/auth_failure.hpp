// auth_failure.hpp - the Auth-Failure type of a failure report (RFC 6591 3.1: signature,
// bodyhash, revoked, spf; RFC 9991 4 adds dmarc) and the type a failed DKIM signature gives.
//
// A signature "failed evaluation" (RFC 7489 6.3 fo=d) when its RFC 8601 result is fail,
// permerror or policy. Its type follows the RFC 6376 step it did not pass (core/dkim
// verify_result.hpp Failure): body hash mismatch -> bodyhash, empty key p= -> revoked,
// b= not verifying -> signature; RFC 6591 has no other DKIM type, so any other failed
// evaluation (expired, no or unusable key, malformed tags, local policy such as l=) is
// reported as signature, its reason in the report's Authentication-Results comment. A
// signature that did not parse (no d=) gives none: a DKIM report must name its DKIM-Domain.
// Untrusted input: the signature's d=, s=, i= (from the message; the report builder bounds
// them). No limits of its own.
#pragma once

#include "core/dkim/verify_result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

// AuthFailure - the Auth-Failure values we send.
enum class AuthFailure { dmarc, signature, bodyhash, revoked, spf };

// to_string - the RFC 6591 / RFC 9991 Auth-Failure keyword.
std::string_view to_string(AuthFailure type);

// is_dkim_report - signature, bodyhash or revoked (RFC 6591 3.3: DKIM-Domain, DKIM-Identity,
// DKIM-Selector required).
bool is_dkim_report(AuthFailure type);

// dkim_result_failed - the RFC 8601 result names that count as a failed evaluation (fo=d).
bool dkim_result_failed(std::string_view result);

// ReportedSignature - one DKIM signature of the reported message, as reports name it.
struct ReportedSignature {
  std::string d, s, result;
  std::string i;                              // the AUID (i=), "" when the tag was absent
  std::optional<AuthFailure> failure = {};    // its DKIM report type when it failed (and has d=)
};

// reported_signature - `sig` as reports name it, with its failure type.
ReportedSignature reported_signature(const dkim::SignatureResult& sig);

// first_failed_signature - the first signature (header order) that failed evaluation, the
// one a DKIM report is about; null when none did.
const ReportedSignature* first_failed_signature(const std::vector<ReportedSignature>& dkim);

}  // namespace postseal::dmarc_report
