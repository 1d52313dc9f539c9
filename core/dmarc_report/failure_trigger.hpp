// failure_trigger.hpp - whether a DMARC-evaluated message gets failure reports, and where
// they may go.
//
// The fo tag: RFC 9991 did not take fo over; it stays a tag of the policy record (RFC 9989
// 4.7, parsed by core/dmarc/record.hpp) with RFC 7489's meaning, which RFC 9991 2 refers
// to (see docs/dmarc.md, "Failure reports"): 0 - report when all mechanisms failed to give
// an aligned pass (DMARC fail), 1 - when any mechanism failed to give an aligned pass, d -
// when a DKIM signature failed verification whatever its alignment, s - when SPF failed
// whatever its alignment. Options combine (fo=1:d). Every report we make is
// Auth-Failure: dmarc (RFC 6591's signature/spf types are not produced for d and s).
// Loop control (RFC 9991 7, RFC 3834 2): no report about a message that is itself a report or
// auto-generated: Content-Type multipart/report (failure reports, DSNs) or Auto-Submitted
// other than "no" (our aggregate and failure reports carry auto-generated).
// Untrusted input: the record's ruf list (from DNS, already cut to dmarc::kMaxReportUris
// entries) and the message's header fields. Limits: kMaxFailureDestinations.
#pragma once

#include "core/dmarc/record.hpp"
#include "core/dmarc_report/destination.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postseal::dmarc_report {

// kMaxFailureDestinations - distinct ruf addresses of one policy a report goes to at most.
inline constexpr std::size_t kMaxFailureDestinations = 5;

// MechanismOutcome - what the fo options look at for one Author Domain.
struct MechanismOutcome {
  bool spf_aligned = false;   // SPF passed and its domain aligned
  bool dkim_aligned = false;  // some DKIM signature passed and its d= aligned
  bool spf_failed = false;    // SPF fail, softfail or permerror, aligned or not
  bool dkim_failed = false;   // some DKIM signature failed (fail, permerror, policy)
};

// fo_requests_report - RFC 9989 4.7 fo (RFC 7489 6.3 meaning): does `fo` ask for a report?
bool fo_requests_report(const dmarc::FailureOptions& fo, const MechanismOutcome& outcome);

// spf_result_failed / dkim_result_failed - the RFC 8601 result names that count as a failed
// evaluation for fo=s / fo=d.
bool spf_result_failed(std::string_view result);
bool dkim_result_failed(std::string_view result);

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
