// report_mail.hpp - recognising a message that is itself a DMARC report, so that the
// recorder does not count it (no aggregate report rows about report mail, docs/dmarc.md
// "Recording").
//
// RFC 9990 3.3 gives aggregate report mail a mandatory Subject (dmarc-subject: "Report"
// 1*FWS "Domain:" 1*FWS domain 1*FWS "Submitter:" 1*FWS domain [...], literals
// case-sensitive); RFC 9991 failure reports are RFC 5965 feedback reports (top-level
// Content-Type multipart/report; report-type=feedback-report). Both RFCs require report mail
// to pass DMARC (RFC 9990 3.3: aligned pass), so only a report-shaped message whose DMARC
// result passed for every Author Domain is skipped: a spoofer cannot hide a failing message
// from the domain owner's reports by giving it a report's Subject. Untrusted input: the
// header fields (already bounded by core/mail/header.hpp); only the first kMaxHeaderValueOctets of
// a Subject or Content-Type value are looked at.
#pragma once

#include "core/mail/header.hpp"

#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

// kMaxHeaderValueOctets - how much of a Subject or Content-Type value is read.
inline constexpr std::size_t kMaxHeaderValueOctets = 1024;

// ReportKind - what kind of DMARC report a message looks like.
enum class ReportKind { none, aggregate, failure };
std::string_view to_string(ReportKind k);

// aggregate_report_subject - `value` (a Subject field's value) is RFC 9990's dmarc-subject.
bool aggregate_report_subject(std::string_view value);

// feedback_report_type - `value` (a Content-Type field's value) is multipart/report with
// report-type=feedback-report (RFC 5965 2, RFC 6522).
bool feedback_report_type(std::string_view value);

// report_kind - the kind of report `headers` show: exactly one Subject that is a
// dmarc-subject, or exactly one Content-Type that is a feedback report.
ReportKind report_kind(const std::vector<mail::HeaderField>& headers);

}  // namespace postseal::dmarc_report
