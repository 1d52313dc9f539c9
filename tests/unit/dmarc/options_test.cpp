// options_test.cpp - the [dmarc] aggregate report keys (core/dmarc/options.hpp
// reporting_from_config): defaults, a report_email that could be read as a sendmail option or
// is no address refused, report_sendmail must be absolute, the row and domain limits and
// report_max_bytes bounded; report_sendmail_timeout (30 s) within 1..300, a bad value named;
// report_bounce_address (default report_email, checked like it) and bounce_suppress_days
// (30, 1..365).
#include "core/dmarc/options.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc {
namespace {

Reporting reporting(const std::string& text) {
  config::declare(config_keys());
  return reporting_from_config(config::File::parse(text, "test.toml"));
}

TEST(ReportingOptions, Defaults) {
  auto r = reporting("");
  EXPECT_FALSE(r.record);
  EXPECT_EQ(r.email, "");
  EXPECT_EQ(r.sendmail, "/usr/sbin/sendmail");
  EXPECT_EQ(r.max_rows, kDefaultReportMaxRows);
  EXPECT_EQ(r.max_domains, kDefaultReportMaxDomains);
  EXPECT_EQ(r.max_bytes, 10 * 1024 * 1024);
  EXPECT_EQ(r.format, "rfc9990");
  EXPECT_EQ(r.sendmail_timeout, 30);
  EXPECT_EQ(r.bounce_address, "");
  EXPECT_EQ(r.bounce_suppress_days, 30);
}

TEST(ReportingOptions, BounceAddressDefaultsToReportEmail) {
  auto r = reporting("[dmarc]\nreport_email = \"dmarc@example.org\"\n");
  EXPECT_EQ(r.bounce_address, "dmarc@example.org");
  r = reporting("[dmarc]\nreport_email = \"dmarc@example.org\"\n"
                "report_bounce_address = \"dmarc-bounces@example.org\"\nbounce_suppress_days = 365\n");
  EXPECT_EQ(r.bounce_address, "dmarc-bounces@example.org");
  EXPECT_EQ(r.bounce_suppress_days, kMaxSuppressDays);
  EXPECT_EQ(reporting("[dmarc]\nbounce_suppress_days = 1\n").bounce_suppress_days, 1);
}

TEST(ReportingOptions, Values) {
  auto r = reporting(
      "[dmarc]\nreport_record = true\nreport_email = \"dmarc@example.org\"\n"
      "report_org_name = \"Example\"\nreport_max_rows = 100000\nreport_max_domains = 1\n"
      "report_max_bytes = 65536\nreport_format = \"rfc7489\"\nreport_sendmail_timeout = 300\n");
  EXPECT_TRUE(r.record);
  EXPECT_EQ(r.email, "dmarc@example.org");
  EXPECT_EQ(r.org_name, "Example");
  EXPECT_EQ(r.max_rows, kMaxReportEntries);
  EXPECT_EQ(r.max_domains, 1);
  EXPECT_EQ(r.max_bytes, kMinReportMaxBytes);
  EXPECT_EQ(r.format, "rfc7489");
  EXPECT_EQ(r.sendmail_timeout, kMaxSendmailTimeoutSeconds);
}

TEST(ReportingOptions, BadValuesAreConfigErrors) {
  for (std::string text :
       {"report_email = \"-oQ/tmp@example.org\"", "report_email = \"dmarc\"",
        "report_email = \"dmarc@\"", "report_email = \"a b@example.org\"",
        "report_email = \"<dmarc@example.org>\"", "report_email = \"dmarc@exa_mple..org\"",
        "report_sendmail = \"sendmail\"", "report_sendmail = \"\"", "report_max_rows = 0",
        "report_max_rows = 100001", "report_max_domains = 0", "report_max_bytes = 65535",
        "report_max_bytes = 1073741825", "report_format = \"rfc9989\"",
        "report_sendmail_timeout = 0", "report_sendmail_timeout = 301",
        "report_bounce_address = \"-f@example.org\"", "report_bounce_address = \"bounces\"",
        "report_bounce_address = \"a b@example.org\"", "report_bounce_address = \"<b@example.org>\"",
        "bounce_suppress_days = 0", "bounce_suppress_days = 366"}) {
    try {
      reporting("[dmarc]\n" + text + "\n");
      ADD_FAILURE() << text << ": accepted";
    } catch (const StartupError& e) {
      EXPECT_EQ(e.code(), kExitConfig) << text;
      const std::string key = "dmarc." + text.substr(0, text.find(' '));
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace postseal::dmarc

namespace postseal::dmarc {
namespace {

// failure report keys (RFC 9991): off by default, bounded, redaction named, a sender required
TEST(FailureReportOptions, DefaultsOff) {
  auto f = reporting("").failure;
  EXPECT_FALSE(f.enable);
  EXPECT_TRUE(f.redact_localpart);
  EXPECT_EQ(f.rate, 10);
  EXPECT_EQ(f.global_rate, 100);
  EXPECT_EQ(f.queue, 100);
  EXPECT_EQ(f.redact_key_file, "/var/lib/postseal/dmarc-redact.key");
}

TEST(FailureReportOptions, Values) {
  auto f = reporting(
               "[dmarc]\nreport_email = \"dmarc@example.org\"\nfailure_reports = true\n"
               "failure_report_redact = \"none\"\nfailure_report_rate = 1\n"
               "failure_report_global_rate = 100000\nfailure_report_queue = 10000\n")
               .failure;
  EXPECT_TRUE(f.enable);
  EXPECT_FALSE(f.redact_localpart);
  EXPECT_EQ(f.rate, 1);
  EXPECT_EQ(f.global_rate, kMaxFailureRate);
  EXPECT_EQ(f.queue, kMaxFailureQueue);
}

TEST(FailureReportOptions, BadValuesAreConfigErrors) {
  for (std::string text :
       {"failure_report_redact = \"all\"", "failure_report_redact = \"\"",
        "failure_report_rate = 0", "failure_report_rate = 100001", "failure_report_global_rate = 0",
        "failure_report_queue = 0", "failure_report_queue = 10001", "failure_reports = true",
        "failure_report_redact_key = \"dmarc-redact.key\"", "failure_report_redact_key = \"\""}) {
    try {
      reporting("[dmarc]\n" + text + "\n");
      ADD_FAILURE() << text << ": accepted";
    } catch (const StartupError& e) {
      EXPECT_EQ(e.code(), kExitConfig) << text;
    }
  }
}

}  // namespace
}  // namespace postseal::dmarc
