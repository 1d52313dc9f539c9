// failure_trigger.hpp - which failure reports a DMARC-evaluated message gets, and where they
// may go.
//
// The fo tag: RFC 9991 did not take fo over; it stays a tag of the policy record (RFC 9989
// 4.7, parsed by core/dmarc/record.hpp) with RFC 7489 6.3's meaning (see docs/dmarc.md,
// "Failure reports"). Per Author Domain, requested_reports() gives at most one report of each
// kind, kMaxReportsPerAuthor in all:
//   fo=0 - all mechanisms failed to give an aligned pass (DMARC fail): a DMARC failure
//          report, Auth-Failure: dmarc (RFC 9991 4, item 3);
//   fo=1 - any mechanism failed to give an aligned pass: the same one DMARC report (0 and 1
//          together still give one);
//   fo=d - a DKIM signature failed evaluation, aligned or not: one DKIM failure report (RFC
//          7489 6.3 "a DKIM failure report", RFC 6591 3.1) about the first signature that
//          failed, Auth-Failure signature / bodyhash / revoked (auth_failure.hpp);
//   fo=s - SPF failed (fail, softfail, permerror), aligned or not: one SPF failure report,
//          Auth-Failure: spf (RFC 6591 3.1).
// RFC 9991 3 leaves the mechanism-specific reports to the generator beside the DMARC one, so
// fo=1:d:s can give all three. Loop control (RFC 9991 7, RFC 3834 2): no report about a
// message that is itself a report or auto-generated: Content-Type multipart/report (failure
// reports, DSNs) or Auto-Submitted other than "no" (our aggregate and failure reports carry
// auto-generated).
// Untrusted input: the record's ruf list (from DNS, already cut to dmarc::kMaxReportUris
// entries) and the message's header fields. Limits: kMaxFailureDestinations,
// kMaxReportsPerAuthor.
#pragma once

#include "core/dmarc/record.hpp"
#include "core/dmarc_report/auth_failure.hpp"
#include "core/dmarc_report/destination.hpp"

#include <optional>

#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

// kMaxFailureDestinations - distinct ruf addresses of one policy a report goes to at most.
inline constexpr std::size_t kMaxFailureDestinations = 5;

// kMaxReportsPerAuthor - reports one message gives per Author Domain (and ruf address) at
// most: one dmarc, one DKIM, one spf.
inline constexpr std::size_t kMaxReportsPerAuthor = 3;

// MechanismOutcome - what the fo options look at for one Author Domain.
struct MechanismOutcome {
  bool spf_aligned = false;   // SPF passed and its domain aligned
  bool dkim_aligned = false;  // some DKIM signature passed and its d= aligned
  bool spf_failed = false;    // SPF fail, softfail or permerror, aligned or not
  // dkim_failure - the report type of the first DKIM signature that failed evaluation
  // (first_failed_signature), aligned or not; nullopt when none failed
  std::optional<AuthFailure> dkim_failure = {};
};

// requested_reports - RFC 9989 4.7 fo (RFC 7489 6.3 meaning): the reports `fo` asks for, in
// the order dmarc, DKIM, spf; empty when none (at most kMaxReportsPerAuthor).
std::vector<AuthFailure> requested_reports(const dmarc::FailureOptions& fo,
                                           const MechanismOutcome& outcome);

// spf_result_failed - the RFC 8601 SPF result names that count as a failed evaluation (fo=s);
// dkim_result_failed (auth_failure.hpp) is fo=d's.
bool spf_result_failed(std::string_view result);

// HeaderView - one header field (name, value) of the evaluated message.
struct HeaderView {
  std::string_view name, value;
};

// is_report_mail - the message is a report or auto-generated mail (loop control above).
bool is_report_mail(const std::vector<HeaderView>& fields);

// failure_destinations - the usable, distinct mailto: addresses of `ruf` (the record's
// ruf_published: mailto_address() rules, atext local-part, checked domain, a "!size" suffix
// kept as the address's limit; others dropped), at most kMaxFailureDestinations.
std::vector<MailtoAddress> failure_destinations(const std::vector<std::string>& ruf);

}  // namespace postseal::dmarc_report
