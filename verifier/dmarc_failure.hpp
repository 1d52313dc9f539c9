// dmarc_failure.hpp - which DMARC failure reports (RFC 9991) one evaluated message gives, in
// the milter and the before-queue proxy (dmarc.failure_reports).
//
// For each evaluated Author Domain whose policy record was found (RFC 9989 4.10) and has
// usable ruf= mailto: addresses, and whose fo= tag asks for reports (core/dmarc_report/
// failure_trigger.hpp: fo=0 DMARC failed, 1 SPF or DKIM unaligned -> a dmarc report; d a
// signature failed -> a DKIM report, signature / bodyhash / revoked; s SPF failed -> an spf
// report), one FailureJob: the reports' shared fields (core/dmarc_report/failure_report.hpp),
// their types (at most kMaxReportsPerAuthor) and the destinations, each of which gets every
// type. Nothing for report or auto-generated mail (loop control), nor for a
// temperror or permerror verdict. Pure: no DNS, no store, no sending (failure_sender.hpp does
// that in the background). Untrusted input: the message's header fields and results, the
// record's ruf list (bounded by the parsers and by kMaxFailureDestinations). A job holds at
// most kMaxHeaderPartOctets of header and kMaxReportedRecipients recipients, so a full queue
// stays small.
#pragma once

#include "core/dmarc_report/failure_report.hpp"
#include "core/dmarc_report/failure_trigger.hpp"
#include "core/mail/header.hpp"
#include "verifier/message_report.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace postseal::verifier {

// FailureJob - the reports for one Author Domain: the fields (without `to` and the type),
// which types, and where to.
struct FailureJob {
  dmarc_report::FailureReport report;
  std::vector<dmarc_report::AuthFailure> types;  // dmarc, DKIM, spf (requested_reports)
  std::vector<dmarc_report::MailtoAddress> destinations;
};

// FailedMessage - what a front end knows of the message at its end.
struct FailedMessage {
  const MessageReport* report = nullptr;  // SPF, DKIM and the DMARC verdict
  const std::vector<mail::HeaderField>* headers = nullptr;
  std::vector<std::string> recipients;
  std::string queue_id;
  std::string authserv_id;
  std::int64_t arrival = 0;
};

// delivery_result - RFC 6591 Delivery-Result of a DMARC action.
std::string delivery_result(dmarc::Action action);

// failure_jobs - the jobs `message` gives (empty for most messages).
std::vector<FailureJob> failure_jobs(const FailedMessage& message);

}  // namespace postseal::verifier
