// redact_test.cpp - RFC 6590 redaction (core/dmarc_report/redact.hpp): stable per secret,
// not the local-part, domain kept, the reported domain's own addresses kept, mode none.
#include "core/dmarc_report/redact.hpp"

#include <gtest/gtest.h>

namespace postseal::dmarc_report {
namespace {

TEST(Redact, LocalPartReplacedDomainKept) {
  Redactor r(Redaction::localpart, "k1");
  auto a = r.address("alice@example.net", "example.com");
  EXPECT_TRUE(a.starts_with("redacted-")) << a;
  EXPECT_TRUE(a.ends_with("@example.net")) << a;
  EXPECT_EQ(a.size(), std::string("redacted-@example.net").size() + 16);
  EXPECT_EQ(a.find("alice"), std::string::npos);
}

TEST(Redact, StablePerSecretDifferentAcrossSecrets) {
  Redactor r1(Redaction::localpart, "k1"), r2(Redaction::localpart, "k2");
  EXPECT_EQ(r1.local_part("alice"), r1.local_part("alice"));
  EXPECT_NE(r1.local_part("alice"), r1.local_part("bob"));
  EXPECT_NE(r1.local_part("alice"), r2.local_part("alice"));
}

TEST(Redact, ReportedDomainAndSubdomainsKept) {
  Redactor r(Redaction::localpart, "k");
  EXPECT_EQ(r.address("ceo@example.com", "example.com"), "ceo@example.com");
  EXPECT_EQ(r.address("ceo@mail.EXAMPLE.com", "example.com"), "ceo@mail.EXAMPLE.com");
  EXPECT_NE(r.address("ceo@notexample.com", "example.com"), "ceo@notexample.com");
  EXPECT_EQ(r.address("", "example.com"), "");
}

TEST(Redact, NoneKeepsEverything) {
  Redactor r(Redaction::none, "k");
  EXPECT_EQ(r.address("alice@example.net", "example.com"), "alice@example.net");
  EXPECT_EQ(r.header_text("To: alice@example.net\n", "example.com"), "To: alice@example.net\n");
}

TEST(Redact, HeaderText) {
  Redactor r(Redaction::localpart, "k");
  auto out = r.header_text("To: \"A\" <alice@example.net>, bob.x+y@b.example\nFrom: ceo@example.com\nX: @ a@\n",
                           "example.com");
  EXPECT_EQ(out.find("alice"), std::string::npos);
  EXPECT_EQ(out.find("bob.x+y"), std::string::npos);
  EXPECT_NE(out.find("<" + r.local_part("alice") + "@example.net>"), std::string::npos);
  EXPECT_NE(out.find(r.local_part("bob.x+y") + "@b.example\n"), std::string::npos);
  EXPECT_NE(out.find("From: ceo@example.com\n"), std::string::npos);
  EXPECT_NE(out.find("X: @ "), std::string::npos);
}

TEST(Redact, ManyAddressesBounded) {
  Redactor r(Redaction::localpart, "k");
  std::string text;
  for (std::size_t i = 0; i < kMaxRedactedAddresses + 10; ++i) text += "u" + std::to_string(i) + "@x.test ";
  auto out = r.header_text(text, "example.com");
  EXPECT_EQ(out.find("u5@"), std::string::npos);
  EXPECT_EQ(out.find("u1005@"), std::string::npos);  // beyond the bound: dropped, not kept
  EXPECT_LT(out.size(), text.size() * 4);
}

TEST(Redact, ModeNames) {
  EXPECT_EQ(redaction_from_string("localpart"), Redaction::localpart);
  EXPECT_EQ(redaction_from_string("none"), Redaction::none);
  EXPECT_EQ(redaction_from_string("all"), std::nullopt);
}

}  // namespace
}  // namespace postseal::dmarc_report
