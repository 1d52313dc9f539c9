// dsn_test.cpp - reading RFC 3464 DSNs (dsn.hpp): the RFC's own examples and a DSN Debian 12's
// Postfix 3.7 made in tests/integration/dmarc_bounce.sh (tests/data/dmarc/dsn, LF line ends as
// printed or piped, made CRLF as the command does), several recipients, delayed and
// failed, Original-Recipient beside Final-Recipient, and what is not a DSN we read:
// malformed fields, no boundary, no status part, encoded status part, and every limit.
#include "core/dmarc_report/dsn.hpp"
#include "core/mail/line_ends.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace postseal::dmarc_report {
namespace {

std::string vector_file(const std::string& name) {
  std::ifstream in(std::string(POSTSEAL_TEST_DATA) + "/dmarc/dsn/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return mail::to_crlf(s.str());
}

// dsn - a DSN with `groups` (each a per-recipient field group, LF line ends) after a
// per-message group, in Postfix's layout: text part, status part, returned headers.
std::string dsn(const std::vector<std::string>& groups,
                std::string top_type = "multipart/report; report-type=delivery-status;\n"
                                       "\tboundary=\"B1/2.mx.example.net\"",
                std::string status_type = "message/delivery-status") {
  std::string m = "Return-Path: <>\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\n"
                  "Subject: Undelivered Mail Returned to Sender\n"
                  "To: dmarc-bounces@example.org\nAuto-Submitted: auto-replied\n"
                  "MIME-Version: 1.0\nContent-Type: " + top_type + "\n\n"
                  "This is a MIME-encapsulated message.\n\n"
                  "--B1/2.mx.example.net\nContent-Description: Notification\n"
                  "Content-Type: text/plain; charset=us-ascii\n\nI'm sorry to have to inform you...\n\n"
                  "--B1/2.mx.example.net\nContent-Description: Delivery report\n"
                  "Content-Type: " + status_type + "\n\n"
                  "Reporting-MTA: dns; mx.example.net\nX-Postfix-Queue-ID: 4F1A2B3C4D\n"
                  "Arrival-Date: Mon,  7 Dec 2026 00:25:01 +0000 (UTC)\n";
  for (const auto& g : groups) m += "\n" + g;
  m += "\n--B1/2.mx.example.net\nContent-Description: Undelivered Message Headers\n"
       "Content-Type: text/rfc822-headers\n\nFrom: dmarc-reports@example.org\n\n"
       "--B1/2.mx.example.net--\n";
  return mail::to_crlf(m);
}

std::string group(const std::string& final_rcpt, const std::string& action,
                  const std::string& status, const std::string& original = "") {
  std::string g = "Final-Recipient: rfc822; " + final_rcpt + "\n";
  if (!original.empty()) g += "Original-Recipient: rfc822;" + original + "\n";
  return g + "Action: " + action + "\nStatus: " + status + "\n";
}

TEST(Dsn, Rfc3464SimpleExample) {
  auto d = parse_dsn(vector_file("rfc3464-simple.eml"));
  ASSERT_TRUE(d) << to_string(d.error());
  EXPECT_EQ(d->reporting_mta, "dns; cs.utk.edu");
  ASSERT_EQ(d->recipients.size(), 1u);
  const auto& r = d->recipients[0];
  EXPECT_EQ(r.final_recipient, "louisl@larry.slip.umd.edu");
  EXPECT_EQ(r.original_recipient, "louisl@larry.slip.umd.edu");
  EXPECT_EQ(r.action, "failed");
  EXPECT_EQ(r.status, "4.0.0");
  EXPECT_EQ(d->skipped, 0u);
}

TEST(Dsn, Postfix37LocalUnknownUser) {
  auto d = parse_dsn(vector_file("postfix-3.7-5.1.1.eml"));
  ASSERT_TRUE(d) << to_string(d.error());
  EXPECT_EQ(d->reporting_mta, "dns; mx.test.local");
  ASSERT_EQ(d->recipients.size(), 1u);
  EXPECT_EQ(d->recipients[0].final_recipient, "gone@bounce.example");
  EXPECT_EQ(d->recipients[0].original_recipient, "gone@bounce.example");
  EXPECT_EQ(d->recipients[0].action, "failed");
  EXPECT_EQ(d->recipients[0].status, "5.1.1");
}

TEST(Dsn, Rfc3464MultipleRecipients) {
  auto d = parse_dsn(vector_file("rfc3464-multiple.eml"));
  ASSERT_TRUE(d) << to_string(d.error());
  ASSERT_EQ(d->recipients.size(), 3u);
  EXPECT_EQ(d->recipients[0].final_recipient, "arathib@vnet.ibm.com");
  EXPECT_EQ(d->recipients[0].status, "5.0.0");  // "(permanent failure)" is a comment
  EXPECT_EQ(d->recipients[1].action, "delayed");
  EXPECT_EQ(d->recipients[1].status, "4.0.0");
  EXPECT_EQ(d->recipients[2].final_recipient, "wsnell@sdcc13.ucsd.edu");
  EXPECT_EQ(d->recipients[2].action, "failed");
}

TEST(Dsn, PostfixLayoutOriginalAndFinalRecipient) {
  auto d = parse_dsn(dsn({group("rua@mail.example.net", "failed", "5.1.1", "rua@example.net"),
                          group("<other@example.com>", "Delayed", "4.4.1")}));
  ASSERT_TRUE(d) << to_string(d.error());
  ASSERT_EQ(d->recipients.size(), 2u);
  EXPECT_EQ(d->recipients[0].final_recipient, "rua@mail.example.net");
  EXPECT_EQ(d->recipients[0].original_recipient, "rua@example.net");
  EXPECT_EQ(d->recipients[1].final_recipient, "other@example.com");  // <> removed
  EXPECT_EQ(d->recipients[1].original_recipient, "");
  EXPECT_EQ(d->recipients[1].action, "delayed");  // lower case
}

TEST(Dsn, GlobalDeliveryStatusAndUtf8AddressType) {
  auto d = parse_dsn(dsn({"Final-Recipient: utf-8; rua@example.net\nAction: failed\nStatus: 5.1.1\n"},
                         "multipart/report; boundary=\"B1/2.mx.example.net\"; "
                         "report-type=\"Delivery-Status\"",
                         "message/global-delivery-status"));
  ASSERT_TRUE(d) << to_string(d.error());
  ASSERT_EQ(d->recipients.size(), 1u);
  EXPECT_EQ(d->recipients[0].final_recipient, "rua@example.net");
}

TEST(Dsn, FoldedFieldsAreUnfolded) {
  auto d = parse_dsn(dsn({"Final-Recipient: rfc822;\n rua@example.net\nAction:\n failed\nStatus: 5.2.2\n"}));
  ASSERT_TRUE(d) << to_string(d.error());
  ASSERT_EQ(d->recipients.size(), 1u);
  EXPECT_EQ(d->recipients[0].final_recipient, "rua@example.net");
  EXPECT_EQ(d->recipients[0].action, "failed");
}

TEST(Dsn, UnusableRecipientGroupsAreSkippedNotFatal) {
  auto d = parse_dsn(dsn({
      "Final-Recipient: rua@example.net\nAction: failed\nStatus: 5.1.1\n",      // no type
      "Final-Recipient: x400; rua@example.net\nAction: failed\nStatus: 5.1.1\n", // other type
      "Final-Recipient: rfc822; rua@example.net\nAction: exploded\nStatus: 5.1.1\n",
      "Final-Recipient: rfc822; rua@example.net\nAction: failed\nStatus: 6.1.1\n",
      "Final-Recipient: rfc822; rua@example.net\nAction: failed\nStatus: 5.1\n",
      "Final-Recipient: rfc822; rua@example.net\nAction: failed\nStatus: 5.1.1234\n",
      "Final-Recipient: rfc822; rua@example.net\nAction: failed\n",              // no Status
      "Final-Recipient: rfc822;\nAction: failed\nStatus: 5.1.1\n",              // no address
      "Final-Recipient: rfc822; " + std::string(300, 'a') + "@example.net\nAction: failed\n"
      "Status: 5.1.1\n",
      group("good@example.net", "failed", "5.1.1")}));
  ASSERT_TRUE(d) << to_string(d.error());
  EXPECT_EQ(d->skipped, 9u);
  ASSERT_EQ(d->recipients.size(), 1u);
  EXPECT_EQ(d->recipients[0].final_recipient, "good@example.net");
}

TEST(Dsn, StatusClass) {
  EXPECT_EQ(status_class("5.1.1"), '5');
  EXPECT_EQ(status_class("4.7.123"), '4');
  EXPECT_EQ(status_class("2.0.0"), '2');
  for (auto bad : {"", "5", "5.1", "5.1.", "3.1.1", "5..1", "5.1.1.", "5.1234.1", "5.1.1x", "x.1.1"})
    EXPECT_EQ(status_class(bad), 0) << bad;
}

TEST(Dsn, NotADsn) {
  const std::string plain = mail::to_crlf("From: a@example.com\nSubject: hi\n\nbody\n");
  EXPECT_EQ(parse_dsn(plain).error(), DsnError::not_report);
  EXPECT_EQ(parse_dsn(mail::to_crlf("From: a@example.com\n")).error(), DsnError::no_header_end);
  auto feedback = dsn({group("rua@example.net", "failed", "5.1.1")},
                      "multipart/report; report-type=feedback-report; boundary=\"B1/2.mx.example.net\"");
  EXPECT_EQ(parse_dsn(feedback).error(), DsnError::not_delivery_status);
  auto no_status = dsn({}, "multipart/report; report-type=delivery-status; boundary=\"B1/2.mx.example.net\"",
                       "text/plain");
  EXPECT_EQ(parse_dsn(no_status).error(), DsnError::no_status_part);
}

TEST(Dsn, NoOrBadBoundary) {
  for (const std::string& type : std::vector<std::string>{
           "multipart/report; report-type=delivery-status",
                           "multipart/report; report-type=delivery-status; boundary=\"\"",
                           "multipart/report; report-type=delivery-status; boundary=\"" +
                               std::string(71, 'b') + "\"",
                           "multipart/report; report-type=delivery-status; boundary=\"a{b}\"",
                           "multipart/report; report-type=delivery-status; boundary*0=\"B1\""})
    EXPECT_EQ(parse_dsn(dsn({group("a@example.net", "failed", "5.1.1")}, type)).error(),
              DsnError::no_boundary)
        << type;
  // a valid boundary that never occurs as a delimiter line
  auto other = dsn({group("a@example.net", "failed", "5.1.1")},
                   "multipart/report; report-type=delivery-status; boundary=elsewhere");
  EXPECT_EQ(parse_dsn(other).error(), DsnError::bad_multipart);
  // a Content-Type that is no RFC 2045 syntax
  auto broken = dsn({}, "multipart/report; report-type=delivery-status; boundary=\"unterminated");
  EXPECT_EQ(parse_dsn(broken).error(), DsnError::not_report);
}

TEST(Dsn, MissingCloseDelimiterEndsTheLastPart) {
  std::string m = dsn({group("rua@example.net", "failed", "5.1.1")});
  m.resize(m.find("\r\n--B1/2.mx.example.net\r\nContent-Description: Undelivered"));
  auto d = parse_dsn(m);
  ASSERT_TRUE(d) << to_string(d.error());
  EXPECT_EQ(d->recipients.size(), 1u);
}

TEST(Dsn, EncodedStatusPartIsRefused) {
  std::string m = dsn({group("rua@example.net", "failed", "5.1.1")});
  const std::string type = "Content-Type: message/delivery-status\r\n";
  m.replace(m.find(type), type.size(), type + "Content-Transfer-Encoding: base64\r\n");
  EXPECT_EQ(parse_dsn(m).error(), DsnError::encoded_status_part);
}

TEST(Dsn, LimitsHold) {
  // the message
  std::string big = dsn({group("rua@example.net", "failed", "5.1.1")});
  big += std::string(kMaxDsnOctets + 1 - big.size(), 'x');
  EXPECT_EQ(parse_dsn(big).error(), DsnError::too_large);
  // a line of the status part
  auto long_line = dsn({group("rua@example.net", "failed", "5.1.1") + "Diagnostic-Code: smtp; " +
                        std::string(kMaxDsnLineOctets, 'x') + "\n"});
  EXPECT_EQ(parse_dsn(long_line).error(), DsnError::line_too_long);
  auto at_limit = dsn({group("rua@example.net", "failed", "5.1.1") + "Diagnostic-Code: " +
                       std::string(kMaxDsnLineOctets - 17, 'x') + "\n"});
  EXPECT_TRUE(parse_dsn(at_limit));
  // a line of the message header
  auto long_header = dsn({group("rua@example.net", "failed", "5.1.1")});
  long_header.insert(0, "X-Long: " + std::string(kMaxDsnLineOctets, 'x') + "\r\n");
  EXPECT_EQ(parse_dsn(long_header).error(), DsnError::line_too_long);
  // header fields
  std::string many_fields;
  for (std::size_t i = 0; i < kMaxDsnHeaderFields; ++i) many_fields += "Received: x\r\n";
  EXPECT_EQ(parse_dsn(many_fields + dsn({group("a@example.net", "failed", "5.1.1")})).error(),
            DsnError::bad_header);
  // fields per group
  std::string fat = group("rua@example.net", "failed", "5.1.1");
  for (std::size_t i = 0; i < kMaxDsnGroupFields; ++i) fat += "X-Extra: 1\n";
  EXPECT_EQ(parse_dsn(dsn({fat})).error(), DsnError::bad_status_group);
  // recipients
  std::vector<std::string> groups(kMaxDsnRecipients, group("rua@example.net", "failed", "5.1.1"));
  EXPECT_TRUE(parse_dsn(dsn(groups)));
  groups.push_back(group("rua@example.net", "failed", "5.1.1"));
  EXPECT_EQ(parse_dsn(dsn(groups)).error(), DsnError::too_many_recipients);
}

}  // namespace
}  // namespace postseal::dmarc_report
