// request_test.cpp - the policy request reader: attributes, limits and malformed input
// (docs/security.md 40).
#include "verifier/policy/request.hpp"

#include <gtest/gtest.h>

namespace postseal::policy {
namespace {

const std::string kSeedRequest =
    "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=SMTP\n"
    "helo_name=hforge.example.com\nqueue_id=8045F2AB23\nsender=info@hforge.example.com\n"
    "recipient=falko@example.de\nclient_address=81.169.145.90\nclient_name=h1.example.net\n"
    "instance=123.456.7\n\n";

TEST(Request, ParsesTheSeedRequest) {
  auto r = parse_request(kSeedRequest);
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->request, "smtpd_access_policy");
  EXPECT_EQ(r->protocol_state, "RCPT");
  EXPECT_EQ(r->helo_name, "hforge.example.com");
  EXPECT_EQ(r->queue_id, "8045F2AB23");
  EXPECT_EQ(r->sender, "info@hforge.example.com");
  EXPECT_EQ(r->recipient, "falko@example.de");
  EXPECT_EQ(r->client_address, "81.169.145.90");
  EXPECT_EQ(r->client_name, "h1.example.net");
  EXPECT_EQ(r->instance, "123.456.7");
  EXPECT_EQ(r->attributes, 10u);
}

TEST(Request, ValueMayContainEqualsSignAndBeEmpty) {
  auto r = parse_request("request=smtpd_access_policy\nsender=\nhelo_name=a=b\n\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sender, "");
  EXPECT_EQ(r->helo_name, "a=b");
}

TEST(Request, CrLfAccepted) {
  auto r = parse_request("request=smtpd_access_policy\r\nsender=a@b.example\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sender, "a@b.example");
}

TEST(Request, DuplicateKeepsFirstAndIsReported) {
  auto r = parse_request("request=smtpd_access_policy\nsender=first@x.example\nsender=second@x.example\n\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sender, "first@x.example");
  ASSERT_EQ(r->duplicates.size(), 1u);
  EXPECT_EQ(r->duplicates[0], "sender");
}

TEST(Request, UnknownAttributesIgnored) {
  auto r = parse_request("request=smtpd_access_policy\nccert_subject=x\npolicy_context=y\n\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->unknown_attributes, 2u);
}

struct BadCase {
  std::string name;
  std::string input;
  ProtocolError want;
};

class Malformed : public ::testing::TestWithParam<BadCase> {};

TEST_P(Malformed, IsAProtocolError) {
  const auto& c = GetParam();
  RequestReader reader;
  reader.feed(c.input);
  auto got = reader.next();
  ASSERT_FALSE(got) << c.name;
  EXPECT_EQ(got.error(), c.want) << c.name << ": " << to_string(got.error());
}

std::string attrs(std::size_t n) {
  std::string s = "request=smtpd_access_policy\n";
  for (std::size_t i = 1; i < n; ++i) s += "x" + std::to_string(i) + "=y\n";
  return s + "\n";
}

INSTANTIATE_TEST_SUITE_P(
    Security40, Malformed,
    ::testing::Values(
        BadCase{"no_request", "sender=a@b.example\nhelo_name=x\n\n", ProtocolError::no_request_type},
        BadCase{"other_request", "request=something_else\n\n", ProtocolError::bad_request_type},
        BadCase{"line_without_equals", "request=smtpd_access_policy\nhello world\n\n",
                ProtocolError::no_equals_sign},
        BadCase{"empty_name", "request=smtpd_access_policy\n=value\n\n", ProtocolError::empty_attribute_name},
        BadCase{"nul_in_line", std::string("request=smtpd_access_policy\nsender=a\0b@x\n\n", 42),
                ProtocolError::nul_byte},
        BadCase{"nul_in_partial_line", std::string("request=smtpd_access_policy\nsender=a\0", 37),
                ProtocolError::nul_byte},
        BadCase{"one_megabyte_line", "request=smtpd_access_policy\nsender=" + std::string(1 << 20, 'a') + "\n\n",
                ProtocolError::line_too_long},
        BadCase{"one_megabyte_no_newline", std::string(1 << 20, 'a'), ProtocolError::line_too_long},
        BadCase{"too_many_attributes", attrs(kMaxAttributes + 1), ProtocolError::too_many_attributes},
        BadCase{"request_too_large",
                [] {
                  std::string s = "request=smtpd_access_policy\n";
                  for (int i = 0; i < 100; ++i) s += "x=" + std::string(kMaxLineOctets - 10, 'y') + "\n";
                  return s;
                }(),
                ProtocolError::request_too_large}),
    [](const auto& info) { return info.param.name; });

TEST(Limits, LineAtTheLimitIsAccepted) {
  std::string value(kMaxLineOctets - std::string("sender=\n").size(), 'a');
  auto r = parse_request("request=smtpd_access_policy\nsender=" + value + "\n\n");
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->sender.size(), value.size());
  auto over = parse_request("request=smtpd_access_policy\nsender=" + value + "a\n\n");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), ProtocolError::line_too_long);
}

TEST(Limits, AttributesAtTheLimitAccepted) {
  EXPECT_TRUE(parse_request(attrs(kMaxAttributes)));
  EXPECT_FALSE(parse_request(attrs(kMaxAttributes + 1)));
}

TEST(Reader, ManyRequestsFedByteByByte) {
  std::string two = kSeedRequest + kSeedRequest;
  RequestReader reader;
  int complete = 0;
  for (char c : two) {
    reader.feed(std::string_view(&c, 1));
    for (;;) {
      auto r = reader.next();
      ASSERT_TRUE(r);
      if (!*r) break;
      EXPECT_EQ((*r)->sender, "info@hforge.example.com");
      ++complete;
    }
  }
  EXPECT_EQ(complete, 2);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(Reader, PartialRequestWaitsForMore) {
  RequestReader reader;
  reader.feed("request=smtpd_access_policy\nsender=a@b.example\n");
  auto r = reader.next();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
  reader.feed("\n");
  r = reader.next();
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->sender, "a@b.example");
}

// in_request decides when the policy server re-arms its idle deadline (only between requests).
TEST(Reader, InRequestFromTheFirstOctetToTheBlankLine) {
  RequestReader reader;
  EXPECT_FALSE(reader.in_request());
  reader.feed("r");
  ASSERT_TRUE(reader.next());
  EXPECT_TRUE(reader.in_request());
  reader.feed("equest=smtpd_access_policy\n");
  ASSERT_TRUE(reader.next());
  EXPECT_TRUE(reader.in_request());  // a whole line taken, the request not finished
  reader.feed("\n");
  auto r = reader.next();
  ASSERT_TRUE(r && *r);
  EXPECT_FALSE(reader.in_request());
}

}  // namespace
}  // namespace postseal::policy
