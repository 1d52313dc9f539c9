// failure_report.hpp - one failure report message as text for sendmail: a DMARC failure
// report (RFC 9991) or, for fo=d / fo=s, a DKIM or SPF failure report (RFC 6591), one builder
// whose FailureReport::auth_failure says which.
//
// RFC 5965 2 and 3.1 (the multipart/report; report-type=feedback-report layout: a
// human-readable part, the message/feedback-report part with Feedback-Type, User-Agent,
// Version, Original-Mail-From, Original-Rcpt-To, Arrival-Date, Source-IP, Reported-Domain;
// then the original message or its header). RFC 6591 3.1: every auth-failure report carries
// Authentication-Results and Auth-Failure (dmarc, signature, bodyhash, revoked or spf); RFC
// 6591 3: a DKIM report (signature, bodyhash, revoked) carries DKIM-Domain, DKIM-Identity and
// DKIM-Selector of the signature that failed (DKIM-Identity: its i=, else "@" d=, the RFC
// 6376 3.5 i= default); 3.2, optional: Delivery-Result (sent), DKIM-Canonicalized-Header/-Body
// and, for spf reports, SPF-DNS (not sent: we keep neither the canonical forms nor the SPF
// record text). RFC 9991 4: a dmarc report carries Identity-Alignment and the
// DKIM-* fields of the signature that did not pass (else the first). Reported-Domain is the
// Author Domain whose policy asked for the report, in every type; the SPF identity checked
// is in Original-Mail-From and in Authentication-Results (smtp.mailfrom / smtp.helo). We send
// the original header only (text/rfc822-headers, RFC 6591 3.3 allows it), never the body.
// Addresses are redacted as the Redactor says (RFC 6590), in every type alike: in
// Original-Mail-From, DKIM-Identity, our Authentication-Results (smtp.mailfrom) and the
// header part, but for Message-ID, In-Reply-To and References; Original-Rcpt-To only without
// redaction. Auto-Submitted: auto-generated (RFC 3834) so nobody answers or reports it.
// Lines end in LF (sendmail makes CRLF).
//
// Untrusted input: every value taken from the message (addresses, domains, IP, header
// fields); values put into report fields are made printable and cut (kMaxFieldValueOctets);
// the original header part is cut at a field boundary (kMaxHeaderPartOctets) and carries
// only CRLF/LF line ends (a bare CR cannot reach here: the header parsers refuse it).
#pragma once

#include "core/dmarc_report/auth_failure.hpp"
#include "core/dmarc_report/redact.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

// kMaxHeaderPartOctets - the original header copied into a report at most (whole fields,
// before redaction, which may lengthen local-parts).
inline constexpr std::size_t kMaxHeaderPartOctets = 64 * 1024;
// kMaxFieldValueOctets - one report field's value taken from the message at most.
inline constexpr std::size_t kMaxFieldValueOctets = 512;
// kMaxReportedRecipients - Original-Rcpt-To fields at most.
inline constexpr std::size_t kMaxReportedRecipients = 20;

// FailureReport - everything one failure report says (one destination, one type).
struct FailureReport {
  AuthFailure auth_failure = AuthFailure::dmarc;  // the report's type
  std::string reporter;         // dmarc.report_email: From and envelope sender
  std::string to;               // the ruf address
  std::string user_agent;       // "postseal/1.0"
  std::string queue_id;         // Original-Envelope-Id and the Message-ID's left part
  std::int64_t arrival = 0;     // Arrival-Date (seconds since the epoch, the injected clock)
  std::int64_t date = 0;        // Date of the report
  std::string reported_domain;  // the Author Domain that failed (RFC 5322 From)
  std::string policy_domain;    // where its DMARC record was found
  std::string source_ip;
  std::string mail_from;        // envelope sender ("" for the null path)
  std::vector<std::string> rcpt_to;
  std::string authentication_results;  // our A-R value (may be folded)
  std::vector<ReportedSignature> dkim;
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string delivery_result;  // RFC 6591 Delivery-Result: delivered, reject, policy, ...
  std::string headers;          // the original header block, CRLF or LF lines
};

// dkim_identity - RFC 6591 3.3 DKIM-Identity of `sig`: its i=, else "@" and its d=.
std::string dkim_identity(const ReportedSignature& sig);

// identity_alignment - RFC 9991 Identity-Alignment: "none", "dkim", "spf" or "dkim, spf".
std::string identity_alignment(bool dkim_aligned, bool spf_aligned);

// header_part - the original header as copied: LF line ends, whole fields up to
// kMaxHeaderPartOctets, addresses redacted outside the reported domain.
std::string header_part(std::string_view headers, const Redactor& redactor,
                        std::string_view reported_domain);

// feedback_report - the message/feedback-report part's body (the fields, LF line ends).
std::string feedback_report(const FailureReport& report, const Redactor& redactor);

// failure_report_message - the whole report message.
std::string failure_report_message(const FailureReport& report, const Redactor& redactor);

}  // namespace postseal::dmarc_report
