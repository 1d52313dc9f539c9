// dmarc_record_test.cpp - what one message contributes to aggregate reports
// (verifier/dmarc_record.hpp report_rows): RFC 9990 disposition (none, pass, quarantine,
// reject) and override reason (trusted_forwarder, local_policy, policy_test_mode for t=y), the
// SPF identity (mfrom, helo for the null sender), DKIM d=/s=/result, the policy published;
// no row without a client address, without a found policy or without rua; report mail that
// passes DMARC is not counted (record_dmarc), report-shaped mail that fails it is.
#include "verifier/dmarc_record.hpp"

#include "core/state/memory_store.hpp"

#include <gtest/gtest.h>

namespace postseal::verifier {
namespace {

using dmarc::Action;
using dmarc::Override;
using dmarc::Policy;

MessageReport report(std::string sender = "Bounce@Mail.Example.COM") {
  MessageReport r;
  r.client_ip = "192.0.2.1";
  r.sender = std::move(sender);
  r.helo = "MX.Example.NET";
  r.decided = true;
  r.decision.mail_from.checked = !r.sender.empty();
  r.decision.mail_from.outcome.result = spf::SpfResult::softfail;
  r.decision.helo.checked = true;
  r.decision.helo.outcome.result = spf::SpfResult::pass;
  dkim::SignatureResult sig;
  sig.d = "Example.COM";
  sig.s = "s2026";
  sig.result = dkim::Result::fail;
  r.dkim = {sig};
  return r;
}

dmarc::Verdict verdict(dmarc::Result result, Action action, Override why = Override::none,
                       bool testing = false) {
  dmarc::AuthorVerdict a;
  a.domain = "example.com";
  a.result = result;
  a.discovery.status = dmarc::Status::found;
  a.discovery.policy_domain = "example.com";
  a.discovery.record.p = Policy::reject;
  a.discovery.record.t = testing;
  a.discovery.record.np = Policy::quarantine;
  a.discovery.record.rua = {"mailto:dmarc@example.com"};
  a.discovery.record.rua_published = {"mailto:dmarc@example.com!10m"};
  a.spf_aligned = false;
  a.dkim_aligned = result == dmarc::Result::pass;
  if (result == dmarc::Result::fail) {
    a.policy = Policy::reject;
    a.effective = testing ? Policy::quarantine : Policy::reject;
  }
  dmarc::Verdict v;
  v.result = result;
  v.header_from = "example.com";
  v.action = action;
  v.override_reason = why;
  v.authors = {a};
  return v;
}

DmarcCheck check() {
  DmarcCheck c;
  c.settings.enable = true;
  return c;
}

TEST(ReportRows, DispositionAndOverride) {
  struct Case {
    std::string name;
    dmarc::Verdict v;
    std::string disposition, override_type;
  } cases[] = {
      {"reject applied", verdict(dmarc::Result::fail, Action::reject), "reject", ""},
      {"pass under p=reject", verdict(dmarc::Result::pass, Action::accept), "pass", ""},
      {"t=y lowered", verdict(dmarc::Result::fail, Action::quarantine, Override::none, true),
       "quarantine", "policy_test_mode"},
      {"trusted forwarder", verdict(dmarc::Result::fail, Action::accept, Override::forwarded),
       "none", "trusted_forwarder"},
      {"monitor", verdict(dmarc::Result::fail, Action::accept, Override::local_policy), "none",
       "local_policy"},
      {"temperror deferred", verdict(dmarc::Result::fail, Action::defer), "none", ""},
  };
  for (const auto& c : cases) {
    auto rows = report_rows(check(), report(), c.v);
    ASSERT_EQ(rows.size(), 1u) << c.name;
    EXPECT_EQ(rows[0].second.disposition, c.disposition) << c.name;
    EXPECT_EQ(rows[0].second.override_type, c.override_type) << c.name;
  }
}

TEST(ReportRows, IdentifiersAndAuthResults) {
  auto rows = report_rows(check(), report(), verdict(dmarc::Result::fail, Action::reject));
  ASSERT_EQ(rows.size(), 1u);
  const auto& [policy, row] = rows[0];
  EXPECT_EQ(row.source_ip, "192.0.2.1");
  EXPECT_EQ(row.header_from, "example.com");
  EXPECT_EQ(row.envelope_from, "mail.example.com");
  EXPECT_EQ(row.spf_domain, "mail.example.com");
  EXPECT_EQ(row.spf_scope, "mfrom");
  EXPECT_EQ(row.spf_result, "softfail");
  ASSERT_EQ(row.dkim.size(), 1u);
  EXPECT_EQ(row.dkim[0], (dmarc_report::DkimAuth{"example.com", "s2026", "fail"}));
  EXPECT_FALSE(row.spf_aligned);
  EXPECT_EQ(policy.domain, "example.com");
  EXPECT_EQ(policy.p, "reject");
  EXPECT_EQ(policy.sp, "");
  EXPECT_EQ(policy.np, "quarantine");
  EXPECT_EQ(policy.discovery_method, "treewalk");
  // as published, with the size suffix the report run honours (RFC 7489 6.4)
  EXPECT_EQ(policy.rua, std::vector<std::string>{"mailto:dmarc@example.com!10m"});
}

TEST(ReportRows, NullSenderReportsTheHeloIdentity) {
  auto rows = report_rows(check(), report(""), verdict(dmarc::Result::fail, Action::reject));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second.envelope_from, "");
  EXPECT_EQ(rows[0].second.spf_domain, "mx.example.net");
  EXPECT_EQ(rows[0].second.spf_scope, "helo");
  EXPECT_EQ(rows[0].second.spf_result, "pass");
}

TEST(ReportRows, NoRowWithoutWhereToReport) {
  auto no_rua = verdict(dmarc::Result::fail, Action::reject);
  no_rua.authors[0].discovery.record.rua.clear();
  EXPECT_TRUE(report_rows(check(), report(), no_rua).empty());
  auto not_found = verdict(dmarc::Result::none, Action::accept);
  not_found.authors[0].discovery.status = dmarc::Status::none;
  EXPECT_TRUE(report_rows(check(), report(), not_found).empty());
  auto no_client = report();
  no_client.client_ip.clear();
  EXPECT_TRUE(
      report_rows(check(), no_client, verdict(dmarc::Result::fail, Action::reject)).empty());
}

// counted - how many messages record_dmarc counts for one message with `headers`.
std::uint64_t counted(const std::string& headers, const dmarc::Verdict& v) {
  FixedClock clock(1700000000);
  DmarcRecording recording;
  recording.store = std::make_unique<state::MemoryStore>(clock, 1000);
  recording.recorder =
      std::make_unique<dmarc_report::Recorder>(*recording.store, clock, recording.limits);
  record_dmarc(recording, check(), report(), v, mail::parse_header_block(headers).value());
  return recording.recorder->stats().counted.load();
}

TEST(RecordDmarc, PassingReportMailIsNotCounted) {
  const std::string aggregate =
      "From: dmarc@example.com\r\nSubject: Report Domain: other.example Submitter: example.com "
      "Report-ID: <1@example.com>\r\n";
  const std::string failure =
      "From: dmarc@example.com\r\nContent-Type: multipart/report; "
      "report-type=feedback-report; boundary=x\r\n";
  const std::string ordinary = "From: a@example.com\r\nSubject: hello\r\n";
  const auto pass = verdict(dmarc::Result::pass, Action::accept);
  const auto fail = verdict(dmarc::Result::fail, Action::reject);
  EXPECT_EQ(counted(aggregate, pass), 0u);
  EXPECT_EQ(counted(failure, pass), 0u);
  EXPECT_EQ(counted(ordinary, pass), 1u);
  // a report Subject does not hide a message that fails DMARC from the domain's reports
  EXPECT_EQ(counted(aggregate, fail), 1u);
  EXPECT_TRUE(is_passing_report_mail(mail::parse_header_block(aggregate).value(), pass));
  EXPECT_FALSE(is_passing_report_mail(mail::parse_header_block(aggregate).value(), fail));
}

}  // namespace
}  // namespace postseal::verifier
