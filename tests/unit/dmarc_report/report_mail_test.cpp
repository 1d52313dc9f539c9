// report_mail_test.cpp - recognising report mail (core/dmarc_report/report_mail.hpp): the RFC
// 9990 dmarc-subject (case-sensitive literals, FWS, two domain names, folded or not) and the
// RFC 5965 feedback report Content-Type of RFC 9991 failure reports; look-alikes, a second
// Subject and other report types are not report mail.
#include "core/dmarc_report/report_mail.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report {
namespace {

std::vector<mail::HeaderField> fields(const std::string& block) {
  return mail::parse_header_block(block).value();
}

TEST(ReportMail, AggregateReportSubject) {
  struct Case {
    std::string value;
    bool want;
  } cases[] = {
      {" Report Domain: example.com Submitter: mail.receiver.example Report-ID: <a@b>", true},
      {" Report Domain: example.com\r\n\tSubmitter: mail.receiver.example\r\n\tReport-ID: <x>",
       true},  // RFC 9990's own example, folded
      {" Report Domain: example.com Submitter: receiver.example", true},  // Report-ID optional
      {" report domain: example.com Submitter: receiver.example", false},  // %s literals
      {" Report Domain: example.com", false},
      {" Re: Report Domain: example.com Submitter: receiver.example", false},
      {" Report Domain: not_a domain Submitter: receiver.example", false},
      {" Report Domain: example.com Submitter: ", false},
      {" Your invoice", false},
  };
  for (const auto& c : cases) EXPECT_EQ(aggregate_report_subject(c.value), c.want) << c.value;
}

TEST(ReportMail, FeedbackReportContentType) {
  EXPECT_TRUE(feedback_report_type(" multipart/report; report-type=feedback-report;\r\n\tboundary=x"));
  EXPECT_TRUE(feedback_report_type(" Multipart/Report; Report-Type=\"feedback-report\""));
  EXPECT_FALSE(feedback_report_type(" multipart/report; report-type=delivery-status"));  // a DSN
  EXPECT_FALSE(feedback_report_type(" multipart/mixed; report-type=feedback-report"));
  EXPECT_FALSE(feedback_report_type(" text/plain"));
}

TEST(ReportMail, KindOfAMessage) {
  EXPECT_EQ(report_kind(fields("From: a@r.example\r\nSubject: Report Domain: example.com "
                               "Submitter: r.example Report-ID: <1@r.example>\r\n")),
            ReportKind::aggregate);
  EXPECT_EQ(report_kind(fields("From: a@r.example\r\nContent-Type: multipart/report;\r\n "
                               "report-type=feedback-report; boundary=b\r\n")),
            ReportKind::failure);
  EXPECT_EQ(report_kind(fields("From: a@r.example\r\nSubject: hello\r\n")), ReportKind::none);
  // two Subject fields: which one a reader sees is unclear, so it is not taken for a report
  EXPECT_EQ(report_kind(fields("Subject: Report Domain: example.com Submitter: r.example\r\n"
                               "Subject: Report Domain: example.com Submitter: r.example\r\n")),
            ReportKind::none);
}

TEST(ReportMail, OnlyTheFirstOctetsOfAValueAreRead) {
  std::string long_value = " Report" + std::string(kMaxHeaderValueOctets, ' ') +
                           "Domain: example.com Submitter: r.example";
  EXPECT_FALSE(aggregate_report_subject(long_value));
}

}  // namespace
}  // namespace postseal::dmarc_report
