// run.hpp - one run of `postseal dmarc report`: every policy domain of a period, one RFC 9990
// report each, written to files and/or sent to the domain's rua addresses.
//
// RFC 9990 3 (one report per policy domain and period), 3.3 (file name, gzip, the report
// mail), 3.4 (external destinations verified first), and "sent once": before a report goes to
// an address, the run claims dmarc:s:PERIOD:DOMAIN:ADDRESS in the store (put_if_absent, so two
// hosts or two runs sharing one store never send twice); a failed hand-over releases the claim
// so the next run tries again. Untrusted input: the stored data (aggregate.hpp) and DNS
// answers. Limits: those of aggregate.hpp; a domain's rua list is at most kMaxRuaPerDomain;
// a report mail goes to an address only when it is at most dmarc.report_max_bytes octets
// (CRLF line ends) and at most the address's own "!size" limit (destination.hpp), and not
// to an address suppressed (suppression.hpp: `postseal dmarc suppress`, or a bounce). Each
// hand-over is noted (sent_recently.hpp), so that a bounce of it may suppress the address.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dmarc/options.hpp"
#include "core/dmarc_report/aggregate.hpp"
#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/sign_mail.hpp"
#include "core/dmarc_report/xml.hpp"
#include "core/dns/resolver.hpp"
#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// Submitter - who reports: the [dmarc] report keys, checked.
struct Submitter {
  std::string email;     // From: and report_metadata/email
  std::string org_name;  // report_metadata/org_name
  std::string receiver;  // the submitter domain: file names, Report-ID, Subject
  std::string sendmail;
  std::size_t max_rows = 0;
  std::size_t max_domains = 0;
  SignMail sign;  // empty: report mail goes unsigned (the command says so once per run)
  std::uint64_t max_bytes = dmarc::kDefaultReportMaxBytes;  // dmarc.report_max_bytes
  ReportFormat format = ReportFormat::rfc9990;               // dmarc.report_format
  std::chrono::milliseconds sendmail_timeout{dmarc::kDefaultSendmailTimeoutSeconds * 1000};
  std::string envelope_from;  // sendmail -f: dmarc.report_bounce_address (default: email)
};

// submitter_from - the Submitter of `reporting`; throws StartupError (78) without report_email.
Submitter submitter_from(const dmarc::Reporting& reporting);

// RunOptions - what the command line asked for.
struct RunOptions {
  Period period;
  std::string out_dir;   // write each report file here ("" = do not write)
  bool send = false;     // hand reports to sendmail
  bool dry_run = false;  // nothing sent, nothing marked as sent
};

// RunSummary - what a run did.
struct RunSummary {
  int reports = 0, written = 0, sent = 0, already_sent = 0, refused = 0, failed = 0;
  int too_large = 0;   // withheld from an address: over its size limit
  int suppressed = 0;  // withheld from an address: `postseal dmarc suppress`
  bool store_failed = false;
};

// BuiltReport - one domain's report.
struct BuiltReport {
  std::string report_id;
  std::string file_name;
  std::string gzip;
};

// build_report - the gzipped document for `data`.
BuiltReport build_report(const Submitter& who, const DomainData& data, const Period& period);

// Say - where the run's lines go (stdout in the command).
using Say = std::function<void(const std::string&)>;

// run_reports - the whole run. `resolver` and `discovery` are used only to send.
asio::awaitable<RunSummary> run_reports(state::Store& store, const Clock& clock,
                                        dns::Resolver& resolver, dmarc::Discovery& discovery,
                                        const Submitter& who, const RunOptions& options,
                                        const Say& say);

}  // namespace postseal::dmarc_report
