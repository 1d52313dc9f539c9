// options.hpp - the [dmarc] config keys and the local policy they give (evaluate.hpp Options).
//
// Keys: dmarc.enable (the milter and the proxy evaluate DMARC and act on it),
// dmarc.discovery ("treewalk", RFC 9989 4.10, or "psl", RFC 7489 with Debian's
// publicsuffix list), dmarc.public_suffix_list (the list file of the psl mode), dmarc.enforce
// ("policy" | "quarantine-only" | "monitor"), dmarc.temperror_defer (4xx on temperror),
// dmarc.trusted_forwarders (CIDR list whose failures are not acted on); aggregate reports
// (RFC 9990, core/dmarc_report): dmarc.report_record (count evaluated messages in the state
// store), dmarc.report_email (From and contact of reports), dmarc.report_org_name,
// dmarc.report_bounce_address (the envelope sender of all report mail, where bounces go;
// default report_email), dmarc.bounce_suppress_days (how long `postseal dmarc bounce`
// suppresses an address whose report bounced), dmarc.report_sendmail,
// dmarc.report_sendmail_timeout (seconds one hand-off to sendmail may take, aggregate and
// failure reports alike), dmarc.report_max_rows, dmarc.report_max_domains,
// dmarc.report_max_bytes (largest report mail per address), dmarc.report_format ("rfc9990"
// or "rfc7489"); failure reports (RFC 9991, verifier/dmarc_failure.hpp):
// dmarc.failure_reports, dmarc.failure_report_redact, dmarc.failure_report_redact_key (the
// file keeping the redaction key across restarts), dmarc.failure_report_rate,
// dmarc.failure_report_global_rate, dmarc.failure_report_queue.
// Untrusted input: the config file (local admin): a bad value is a start-up error (exit 78)
// naming the key. Limits: net::kMaxAddressListEntries forwarders; report_max_rows and
// report_max_domains 1..kMaxReportEntries; report_max_bytes kMinReportMaxBytes..
// kMaxReportMaxBytes; report_sendmail_timeout 1..kMaxSendmailTimeoutSeconds;
// bounce_suppress_days 1..kMaxSuppressDays; the failure report
// rates 1..kMaxFailureRate, the queue 1..kMaxFailureQueue.
#pragma once

#include "core/dmarc/discovery.hpp"
#include "core/dmarc/evaluate.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::dmarc {

// kDefaultReportMaxRows / kDefaultReportMaxDomains / kMaxReportEntries - the report limits
// defaults and bound (rows per policy domain and day; policy domains per day).
inline constexpr std::int64_t kDefaultReportMaxRows = 10000;
inline constexpr std::int64_t kDefaultReportMaxDomains = 10000;
inline constexpr std::int64_t kMaxReportEntries = 100000;
// kDefaultReportMaxBytes / kMinReportMaxBytes / kMaxReportMaxBytes - dmarc.report_max_bytes:
// the largest report mail sent to one address (10 MiB, within 64 KiB .. 1 GiB).
inline constexpr std::int64_t kDefaultReportMaxBytes = 10 * 1024 * 1024;
inline constexpr std::int64_t kMinReportMaxBytes = 64 * 1024;
inline constexpr std::int64_t kMaxReportMaxBytes = 1024 * 1024 * 1024;

// kDefaultSendmailTimeoutSeconds / kMaxSendmailTimeoutSeconds - dmarc.report_sendmail_timeout:
// how long one report's hand-off to sendmail may take before sendmail is killed (a verifier
// stop waits at most this for the failure report in hand; postseal-verifier.service allows
// 60 s to stop).
inline constexpr std::int64_t kDefaultSendmailTimeoutSeconds = 30;
inline constexpr std::int64_t kMaxSendmailTimeoutSeconds = 300;

// kDefaultSuppressDays / kMaxSuppressDays - how long an rua/ruf address gets no reports once
// suppressed, by hand (`postseal dmarc suppress --days`) or after a bounce
// (dmarc.bounce_suppress_days).
inline constexpr std::int64_t kDefaultSuppressDays = 30;
inline constexpr std::int64_t kMaxSuppressDays = 365;

// kMaxFailureRate / kMaxFailureQueue - bounds of the failure report rates (per hour) and of
// the hand-off queue (reports waiting for sendmail).
inline constexpr std::int64_t kMaxFailureRate = 100000;
inline constexpr std::int64_t kMaxFailureQueue = 10000;

// FailureReporting - the failure report keys (RFC 9991), off by default.
struct FailureReporting {
  bool enable = false;
  bool redact_localpart = true;  // "localpart" (RFC 6590) or "none"
  std::int64_t rate = 10;         // reports per ruf address and hour
  std::int64_t global_rate = 100; // reports per hour in all
  std::int64_t queue = 100;       // reports waiting for sendmail at most
  std::string redact_key_file{"/var/lib/postseal/dmarc-redact.key"};  // RFC 6590 key, kept
};

// Reporting - the aggregate report keys.
struct Reporting {
  bool record = false;
  std::string email;     // From: and report_metadata/email; its domain is the submitter
  std::string org_name;  // report_metadata/org_name ("" -> the submitter domain)
  std::string bounce_address;  // envelope sender of report mail (report_bounce_address, else email)
  std::int64_t bounce_suppress_days = kDefaultSuppressDays;
  std::string sendmail{"/usr/sbin/sendmail"};
  std::int64_t sendmail_timeout = kDefaultSendmailTimeoutSeconds;  // seconds
  std::int64_t max_rows = kDefaultReportMaxRows;
  std::int64_t max_domains = kDefaultReportMaxDomains;
  std::int64_t max_bytes = kDefaultReportMaxBytes;
  std::string format{"rfc9990"};  // "rfc9990" or "rfc7489" (core/dmarc_report/xml.hpp)
  FailureReporting failure;
};

// Settings - everything [dmarc] says.
struct Settings {
  bool enable = false;
  Mode discovery = Mode::treewalk;
  std::string public_suffix_list{kDebianPublicSuffixList};
  Options options;
  Reporting reporting;
};

// settings_from_config - the [dmarc] keys of `file`; throws StartupError (kExitConfig).
Settings settings_from_config(const config::File& file);

// reporting_from_config - the report keys alone (`postseal dmarc report`); throws StartupError.
Reporting reporting_from_config(const config::File& file);

// parse_mode / parse_enforce - a key's value, else a config error naming `where`.
Mode parse_mode(std::string_view value, std::string_view where);
Enforce parse_enforce(std::string_view value, std::string_view where);

// load_public_suffix_list - the list of the psl mode; throws StartupError (kExitConfig).
PublicSuffixList load_public_suffix_list(std::string_view path);

// config_keys - the [dmarc] declarations (listed in cli/config_keys.cpp).
std::span<const config::Key> config_keys();

}  // namespace postseal::dmarc
