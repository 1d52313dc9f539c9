// failure_report_test.cpp - the RFC 9991 / RFC 6591 failure reports (core/dmarc_report/
// failure_report.hpp), field by field: the feedback-report fields, Identity-Alignment, the
// MIME layout, the header part (never the body, cut at a field boundary), redaction; each
// report type (dmarc, signature, bodyhash, revoked, spf) parsed back from the whole message:
// its Auth-Failure, the DKIM-* fields of the failed signature or none, each field once.
#include "core/dmarc_report/failure_report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace postseal::dmarc_report {
namespace {

constexpr std::string_view kHeaders =
    "Received: from evil.test (evil.test [192.0.2.9])\r\n\tby mx.example.net; Mon, 7 Dec 2026\r\n"
    "From: CEO <ceo@example.com>\r\n"
    "To: alice@example.net, \"Bob\" <bob@example.net>\r\n"
    "Subject: pay now\r\n";

FailureReport report() {
  FailureReport r;
  r.reporter = "dmarc-reports@example.net";
  r.to = "ruf@reports.test";
  r.user_agent = "postseal/1.0";
  r.queue_id = "4F1A2B3C4D";
  r.arrival = 1'700'000'000;
  r.date = 1'700'000'060;
  r.reported_domain = "example.com";
  r.policy_domain = "example.com";
  r.source_ip = "192.0.2.9";
  r.mail_from = "spoof@evil.test";
  r.rcpt_to = {"alice@example.net", "bob@example.net"};
  r.authentication_results =
      " mx.example.net;\r\n\tspf=fail smtp.mailfrom=spoof@evil.test;\r\n\tdmarc=fail header.from=example.com";
  r.dkim = {{"evil.test", "s1", "pass"}, {"example.com", "sel", "fail"}};
  r.delivery_result = "reject";
  r.headers = std::string(kHeaders);
  return r;
}

const Redactor kNone(Redaction::none, "secret");
const Redactor kLocal(Redaction::localpart, "secret");

// field - the value of `name` in an LF-separated field list ("" when absent).
std::string field(const std::string& text, std::string_view name) {
  auto at = text.find(std::string(name) + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 2;
  return text.substr(at, text.find('\n', at) - at);
}

TEST(FeedbackReport, EveryFieldWithoutRedaction) {
  auto text = feedback_report(report(), kNone);
  EXPECT_TRUE(text.starts_with("Feedback-Type: auth-failure\n"));
  EXPECT_EQ(field(text, "User-Agent"), "postseal/1.0");
  EXPECT_EQ(field(text, "Version"), "1");
  EXPECT_EQ(field(text, "Original-Envelope-Id"), "4F1A2B3C4D");
  EXPECT_EQ(field(text, "Original-Mail-From"), "<spoof@evil.test>");
  EXPECT_NE(text.find("Original-Rcpt-To: <alice@example.net>\nOriginal-Rcpt-To: <bob@example.net>\n"),
            std::string::npos);
  EXPECT_EQ(field(text, "Arrival-Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(field(text, "Source-IP"), "192.0.2.9");
  EXPECT_EQ(field(text, "Reported-Domain"), "example.com");
  EXPECT_EQ(field(text, "Auth-Failure"), "dmarc");
  EXPECT_EQ(field(text, "DKIM-Domain"), "example.com");  // the signature that failed
  EXPECT_EQ(field(text, "DKIM-Selector"), "sel");
  EXPECT_EQ(field(text, "Identity-Alignment"), "none");
  EXPECT_EQ(field(text, "Delivery-Result"), "reject");
  EXPECT_NE(text.find("Authentication-Results: mx.example.net;\n\tspf=fail smtp.mailfrom=spoof@evil.test;\n"
                      "\tdmarc=fail header.from=example.com\n"),
            std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);  // one field list, no empty line
}

TEST(FeedbackReport, RedactionHidesLocalPartsAndRecipients) {
  auto text = feedback_report(report(), kLocal);
  auto from = field(text, "Original-Mail-From");
  EXPECT_TRUE(from.starts_with("<redacted-")) << from;
  EXPECT_TRUE(from.ends_with("@evil.test>")) << from;
  EXPECT_EQ(from.find("spoof"), std::string::npos);
  EXPECT_EQ(text.find("Original-Rcpt-To"), std::string::npos);
  EXPECT_EQ(text.find("alice"), std::string::npos);
}

TEST(FeedbackReport, RedactionReachesAuthenticationResults) {
  auto text = feedback_report(report(), kLocal);
  EXPECT_EQ(text.find("spoof@evil.test"), std::string::npos);
  EXPECT_NE(text.find("smtp.mailfrom=" + kLocal.local_part("spoof") + "@evil.test"), std::string::npos);
  EXPECT_NE(feedback_report(report(), kNone).find("smtp.mailfrom=spoof@evil.test"), std::string::npos);
}

TEST(FeedbackReport, NullSenderNoSignaturesAndAlignment) {
  auto r = report();
  r.mail_from = "";
  r.dkim.clear();
  r.delivery_result.clear();
  r.spf_aligned = true;
  auto text = feedback_report(r, kLocal);
  EXPECT_EQ(field(text, "Original-Mail-From"), "<>");
  EXPECT_EQ(text.find("DKIM-Domain"), std::string::npos);
  EXPECT_EQ(text.find("Delivery-Result"), std::string::npos);
  EXPECT_EQ(field(text, "Identity-Alignment"), "spf");
}

TEST(FeedbackReport, IdentityAlignmentValues) {
  EXPECT_EQ(identity_alignment(false, false), "none");
  EXPECT_EQ(identity_alignment(true, false), "dkim");
  EXPECT_EQ(identity_alignment(false, true), "spf");
  EXPECT_EQ(identity_alignment(true, true), "dkim, spf");
}

TEST(FeedbackReport, UntrustedValuesCannotAddFields) {
  auto r = report();
  r.source_ip = "192.0.2.9\r\nFeedback-Type: abuse";
  r.reported_domain = std::string(2000, 'a');
  r.dkim = {{"x\nAuth-Failure: spf", "s", "fail"}};
  auto text = feedback_report(r, kNone);
  EXPECT_EQ(text.find("\nFeedback-Type: abuse"), std::string::npos);
  EXPECT_EQ(text.find("\nAuth-Failure: spf"), std::string::npos);
  EXPECT_LE(field(text, "Reported-Domain").size(), kMaxFieldValueOctets + 3);
}

TEST(FeedbackReport, RecipientsBounded) {
  auto r = report();
  r.rcpt_to.assign(100, "x@example.net");
  auto text = feedback_report(r, kNone);
  std::size_t n = 0;
  for (auto at = text.find("Original-Rcpt-To"); at != std::string::npos; at = text.find("Original-Rcpt-To", at + 1)) ++n;
  EXPECT_EQ(n, kMaxReportedRecipients);
}

TEST(FailureReportMessage, MimeLayoutAndNoBody) {
  auto text = failure_report_message(report(), kNone);
  EXPECT_NE(text.find("From: dmarc-reports@example.net\nTo: ruf@reports.test\n"), std::string::npos);
  EXPECT_NE(text.find("Auto-Submitted: auto-generated\n"), std::string::npos);
  EXPECT_NE(text.find("Content-Type: multipart/report; report-type=feedback-report;"), std::string::npos);
  EXPECT_NE(text.find("Subject: DMARC failure report for example.com from 192.0.2.9\n"), std::string::npos);
  auto plain = text.find("Content-Type: text/plain");
  auto feedback = text.find("Content-Type: message/feedback-report");
  auto headers = text.find("Content-Type: text/rfc822-headers");
  ASSERT_NE(plain, std::string::npos);
  ASSERT_NE(feedback, std::string::npos);
  ASSERT_NE(headers, std::string::npos);
  EXPECT_LT(plain, feedback);
  EXPECT_LT(feedback, headers);
  EXPECT_NE(text.find("Subject: pay now\n"), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find("message/rfc822\n"), std::string::npos);
  EXPECT_TRUE(text.ends_with("--\n"));
}

// Parsed - a report message read back: its top-level header and the feedback-report part's
// fields (name -> values, in order; continuation lines joined).
struct Parsed {
  std::string header;
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t parts = 0;
  std::size_t count(const std::string& name) const {
    std::size_t n = 0;
    for (const auto& f : fields) n += f.first == name;
    return n;
  }
  std::string operator[](const std::string& name) const {
    for (const auto& f : fields)
      if (f.first == name) return f.second;
    return "";
  }
};

Parsed parse_report(const std::string& text) {
  Parsed out;
  out.header = text.substr(0, text.find("\n\n"));
  auto b = text.find("boundary=\"");
  EXPECT_NE(b, std::string::npos);
  b += 10;
  const std::string delimiter = "\n--" + text.substr(b, text.find('"', b) - b);
  for (auto at = text.find(delimiter); at != std::string::npos; at = text.find(delimiter, at + 1)) {
    auto body_at = text.find("\n\n", at + 1);
    if (text.compare(at + delimiter.size(), 2, "--") == 0) break;
    ++out.parts;
    auto part_header = text.substr(at, body_at - at);
    if (part_header.find("Content-Type: message/feedback-report") == std::string::npos) continue;
    auto end = text.find(delimiter, body_at);
    std::string body = text.substr(body_at + 2, end - body_at - 2);
    std::string name;
    for (std::size_t line_at = 0; line_at < body.size();) {
      auto nl = body.find('\n', line_at);
      std::string line = body.substr(line_at, nl - line_at);
      line_at = nl == std::string::npos ? body.size() : nl + 1;
      if (line.empty()) continue;
      if (line[0] == '\t' || line[0] == ' ') {
        out.fields.back().second += " " + line.substr(1);
        continue;
      }
      auto colon = line.find(": ");
      EXPECT_NE(colon, std::string::npos) << line;
      out.fields.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    }
  }
  return out;
}

// kOnce - the fields every report carries exactly once (RFC 5965 3.1, RFC 6591 3.1).
constexpr const char* kOnce[] = {"Feedback-Type", "User-Agent", "Version", "Original-Mail-From",
                                 "Arrival-Date", "Source-IP", "Reported-Domain",
                                 "Authentication-Results", "Auth-Failure"};

FailureReport typed(AuthFailure type) {
  auto r = report();
  r.auth_failure = type;
  // a signature that passed, then the one that failed (of `type` when a DKIM report)
  r.dkim = {{"evil.test", "s1", "pass"},
            {"example.com", "sel", "fail", "", is_dkim_report(type) ? std::optional(type) : AuthFailure::signature}};
  return r;
}

TEST(ReportTypes, DkimReportsNameTheFailedSignature) {
  for (auto type : {AuthFailure::signature, AuthFailure::bodyhash, AuthFailure::revoked}) {
    auto got = parse_report(failure_report_message(typed(type), kNone));
    SCOPED_TRACE(std::string(to_string(type)));
    EXPECT_EQ(got.parts, 3u);
    for (auto name : kOnce) EXPECT_EQ(got.count(name), 1u) << name;
    EXPECT_EQ(got["Feedback-Type"], "auth-failure");
    EXPECT_EQ(got["Auth-Failure"], to_string(type));
    EXPECT_EQ(got.count("DKIM-Domain"), 1u);
    EXPECT_EQ(got.count("DKIM-Identity"), 1u);
    EXPECT_EQ(got.count("DKIM-Selector"), 1u);
    EXPECT_EQ(got["DKIM-Domain"], "example.com");
    EXPECT_EQ(got["DKIM-Identity"], "@example.com");  // no i=: the RFC 6376 3.5 default
    EXPECT_EQ(got["DKIM-Selector"], "sel");
    EXPECT_EQ(got["Reported-Domain"], "example.com");
    EXPECT_EQ(got.count("Identity-Alignment"), 0u);  // a DMARC failure report's field
    EXPECT_NE(got.header.find("Subject: DKIM failure report for example.com from 192.0.2.9"), std::string::npos);
  }
}

TEST(ReportTypes, SpfReportHasNoDkimFields) {
  auto got = parse_report(failure_report_message(typed(AuthFailure::spf), kNone));
  EXPECT_EQ(got.parts, 3u);
  for (auto name : kOnce) EXPECT_EQ(got.count(name), 1u) << name;
  EXPECT_EQ(got["Auth-Failure"], "spf");
  EXPECT_EQ(got["Reported-Domain"], "example.com");
  EXPECT_EQ(got["Original-Mail-From"], "<spoof@evil.test>");  // the SPF identity checked
  EXPECT_NE(got["Authentication-Results"].find("spf=fail smtp.mailfrom=spoof@evil.test"), std::string::npos);
  EXPECT_EQ(got.count("DKIM-Domain"), 0u);
  EXPECT_EQ(got.count("DKIM-Identity"), 0u);
  EXPECT_EQ(got.count("DKIM-Selector"), 0u);
  EXPECT_EQ(got.count("Identity-Alignment"), 0u);
  EXPECT_EQ(got["Delivery-Result"], "reject");
  EXPECT_NE(got.header.find("Subject: SPF failure report for example.com"), std::string::npos);
}

TEST(ReportTypes, DmarcReportKeepsIdentityAlignment) {
  auto got = parse_report(failure_report_message(typed(AuthFailure::dmarc), kNone));
  for (auto name : kOnce) EXPECT_EQ(got.count(name), 1u) << name;
  EXPECT_EQ(got["Auth-Failure"], "dmarc");
  EXPECT_EQ(got["Identity-Alignment"], "none");
  EXPECT_EQ(got["DKIM-Domain"], "example.com");
  EXPECT_EQ(got["DKIM-Identity"], "@example.com");
  EXPECT_NE(got.header.find("Subject: DMARC failure report for example.com"), std::string::npos);
}

TEST(ReportTypes, RedactionAppliesToEveryType) {
  for (auto type : {AuthFailure::dmarc, AuthFailure::signature, AuthFailure::bodyhash,
                    AuthFailure::revoked, AuthFailure::spf}) {
    SCOPED_TRACE(std::string(to_string(type)));
    auto r = typed(type);
    r.dkim[1].d = "evil.test";
    r.dkim[1].i = "mallory@mail.evil.test";
    auto text = failure_report_message(r, kLocal);
    auto got = parse_report(text);
    EXPECT_TRUE(got["Original-Mail-From"].starts_with("<redacted-")) << got["Original-Mail-From"];
    EXPECT_EQ(got.count("Original-Rcpt-To"), 0u);
    EXPECT_EQ(text.find("spoof@"), std::string::npos);
    EXPECT_EQ(text.find("alice@"), std::string::npos);
    EXPECT_EQ(text.find("mallory"), std::string::npos);
    if (got.count("DKIM-Identity")) {
      EXPECT_EQ(got["DKIM-Identity"], kLocal.local_part("mallory") + "@mail.evil.test");
    }
  }
  // an identity of the reported domain itself is kept, as its addresses are
  auto r = typed(AuthFailure::signature);
  r.dkim[1].i = "ceo@example.com";
  EXPECT_EQ(parse_report(failure_report_message(r, kLocal))["DKIM-Identity"], "ceo@example.com");
}

TEST(ReportTypes, EachTypeItsOwnMessageId) {
  auto id = [](AuthFailure type) {
    auto text = failure_report_message(typed(type), kNone);
    auto at = text.find("Message-ID: ");
    return text.substr(at, text.find('\n', at) - at);
  };
  EXPECT_NE(id(AuthFailure::dmarc), id(AuthFailure::spf));
  EXPECT_NE(id(AuthFailure::bodyhash), id(AuthFailure::signature));
}

TEST(FailureReportMessage, SameInputSameMessage) {
  EXPECT_EQ(failure_report_message(report(), kLocal), failure_report_message(report(), kLocal));
  auto other = report();
  other.to = "other@reports.test";
  EXPECT_NE(failure_report_message(report(), kLocal), failure_report_message(other, kLocal));
}

TEST(HeaderPart, RedactsOutsideTheReportedDomain) {
  auto text = header_part(kHeaders, kLocal, "example.com");
  EXPECT_NE(text.find("From: CEO <ceo@example.com>\n"), std::string::npos);  // the reported domain's own
  EXPECT_EQ(text.find("alice@"), std::string::npos);
  EXPECT_EQ(text.find("bob@"), std::string::npos);
  EXPECT_NE(text.find("@example.net"), std::string::npos);
  EXPECT_NE(text.find("\tby mx.example.net"), std::string::npos);
  EXPECT_NE(header_part(kHeaders, kNone, "example.com").find("To: alice@example.net"), std::string::npos);
}

TEST(HeaderPart, MessageIdsAreNotAddresses) {
  auto text = header_part("Message-ID: <abc@mx.example.net>\r\nReferences: <a@b.example>\r\n\t<c@d.example>\r\n"
                          "Cc: carol@example.net\r\n", kLocal, "example.com");
  EXPECT_NE(text.find("Message-ID: <abc@mx.example.net>\n"), std::string::npos);
  EXPECT_NE(text.find("References: <a@b.example>\n\t<c@d.example>\n"), std::string::npos);
  EXPECT_EQ(text.find("carol"), std::string::npos);
}

TEST(HeaderPart, CutAtAFieldBoundaryAndNoEmptyLine) {
  std::string big;
  while (big.size() < 2 * kMaxHeaderPartOctets) big += "X-Filler: " + std::string(100, 'f') + "\r\n\tcontinued\r\n";
  auto text = header_part(big, kNone, "example.com");
  EXPECT_LE(text.size(), kMaxHeaderPartOctets);
  EXPECT_TRUE(text.ends_with("\tcontinued\n"));
  EXPECT_EQ(header_part("A: 1\r\n\r\nB: 2\r\n", kNone, "x").find("\n\n"), std::string::npos);
}

}  // namespace
}  // namespace postseal::dmarc_report
