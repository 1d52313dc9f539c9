// auth_failure.cpp - Auth-Failure types and the DKIM failure mapping (see auth_failure.hpp).
#include "core/dmarc_report/auth_failure.hpp"

namespace postseal::dmarc_report {

std::string_view to_string(AuthFailure type) {
  switch (type) {
    case AuthFailure::dmarc: return "dmarc";
    case AuthFailure::signature: return "signature";
    case AuthFailure::bodyhash: return "bodyhash";
    case AuthFailure::revoked: return "revoked";
    case AuthFailure::spf: return "spf";
  }
  return "dmarc";
}

bool is_dkim_report(AuthFailure type) {
  return type == AuthFailure::signature || type == AuthFailure::bodyhash ||
         type == AuthFailure::revoked;
}

bool dkim_result_failed(std::string_view result) {
  return result == "fail" || result == "permerror" || result == "policy";
}

ReportedSignature reported_signature(const dkim::SignatureResult& sig) {
  ReportedSignature out{sig.d, sig.s, std::string(dkim::to_string(sig.result)), sig.i};
  if (!dkim_result_failed(out.result) || out.d.empty()) return out;
  switch (sig.failure) {
    case dkim::Failure::body_hash: out.failure = AuthFailure::bodyhash; break;
    case dkim::Failure::key_revoked: out.failure = AuthFailure::revoked; break;
    case dkim::Failure::signature:
    case dkim::Failure::none: out.failure = AuthFailure::signature; break;
  }
  return out;
}

const ReportedSignature* first_failed_signature(const std::vector<ReportedSignature>& dkim) {
  for (const auto& sig : dkim)
    if (sig.failure) return &sig;
  return nullptr;
}

}  // namespace postseal::dmarc_report
