// row_test.cpp - stored rows and policies (row.hpp) and periods (period.hpp): round trips,
// hostile values that must not split fields, malformed stored values refused.
#include "core/dmarc_report/period.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report::test {
namespace {

TEST(Row, RoundTrip) {
  Row r = row();
  r.dkim.push_back({"other.example", "s2", "fail"});
  r.override_type = "trusted_forwarder";
  auto back = decode_row(encode_row(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, r);
}

TEST(Row, HostileValuesStayInTheirField) {
  Row r = row();
  r.envelope_from = "a\tb\nc%41\r\x01";
  r.dkim[0].selector = "s\t1";
  const auto text = encode_row(r);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  auto back = decode_row(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->envelope_from, r.envelope_from);
  EXPECT_EQ(back->dkim[0].selector, "s\t1");
}

TEST(Row, FieldsAreCutAndSignaturesBounded) {
  Row r = row();
  r.envelope_from = std::string(kMaxFieldOctets + 50, 'x');
  r.dkim.assign(kMaxDkimPerRow + 3, DkimAuth{"d.example", "s", "pass"});
  auto back = decode_row(encode_row(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->envelope_from.size(), kMaxFieldOctets);
  EXPECT_EQ(back->dkim.size(), kMaxDkimPerRow);
}

TEST(Row, MalformedStoredValuesAreRefused) {
  const std::string good = encode_row(row());
  for (std::string bad :
       {std::string(), std::string("r1"), std::string("x") + good.substr(1), good + "\textra",
        good.substr(0, good.rfind('\t')), good + "%", good + "%4", good + "%zz"}) {
    EXPECT_FALSE(decode_row(bad)) << bad;
  }
}

TEST(Policy, RoundTrip) {
  PolicyPublished p = policy();
  p.np = "reject";
  p.testing = "y";
  p.rua.push_back("mailto:x@reports.example");
  auto back = decode_policy(encode_policy(p));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
  EXPECT_FALSE(decode_policy(encode_row(row())));
}

TEST(Digest, StableAndShort) {
  EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223");  // SHA-256("abc"), first 16 octets
  EXPECT_NE(digest(encode_row(row("192.0.2.1"))), digest(encode_row(row("192.0.2.2"))));
}

TEST(Period, DaysAndText) {
  Period p = period_of(kNow);
  EXPECT_EQ(p.text(), "2023-11-14");
  EXPECT_EQ(p.begin(), 1699920000);
  EXPECT_EQ(p.end(), 1699920000 + 86399);
  EXPECT_EQ(period_of(p.end()), p);
  EXPECT_EQ(period_of(p.end() + 1).text(), "2023-11-15");
}

TEST(Period, Parse) {
  ASSERT_TRUE(parse_period("2023-11-14"));
  EXPECT_EQ(parse_period("2023-11-14")->begin(), 1699920000);
  EXPECT_EQ(parse_period("2024-02-29")->text(), "2024-02-29");
  for (std::string_view bad : {"2023-02-29", "2023-13-01", "2023-1-14", "23-11-14", "2023-11-14x",
                               "1969-12-31", "2023/11/14", ""})
    EXPECT_FALSE(parse_period(bad)) << bad;
}

}  // namespace
}  // namespace postseal::dmarc_report::test
