// dk_key_record_test.cpp - DomainKeys key records (RFC 4870 3.2.3) and g= granularity.
#include "core/domainkeys/dk_key_record.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::domainkeys {
namespace {

TEST(DkKeyRecord, Parses) {
  auto rec = parse_key_record("k=rsa; t=y; n=notes here; p=MIGf MA0G\r\n CSqG");
  ASSERT_TRUE(rec.has_value()) << rec.error();
  EXPECT_EQ(rec->k, "rsa");
  EXPECT_TRUE(rec->testing);
  EXPECT_EQ(rec->p, "MIGfMA0GCSqG");
  EXPECT_FALSE(rec->revoked());

  auto dkim_style = parse_key_record("v=DKIM1; k=rsa; p=MIGf");
  ASSERT_TRUE(dkim_style.has_value());  // a DKIM record serves DomainKeys too
  EXPECT_FALSE(dkim_style->testing);

  auto flags = parse_key_record("t=s:y; p=MIGf");
  ASSERT_TRUE(flags.has_value());
  EXPECT_TRUE(flags->testing);
}

TEST(DkKeyRecord, RevokedAndBad) {
  auto revoked = parse_key_record("k=rsa; p=");
  ASSERT_TRUE(revoked.has_value());
  EXPECT_TRUE(revoked->revoked());
  EXPECT_FALSE(parse_key_record("k=rsa").has_value());             // no p=
  EXPECT_FALSE(parse_key_record("k=ed25519; p=MIGf").has_value());  // DomainKeys is RSA only
  EXPECT_FALSE(parse_key_record("p=a; p=b").has_value());           // duplicate tag
  EXPECT_FALSE(parse_key_record("p").has_value());
  EXPECT_FALSE(parse_key_record("p=" + std::string(kMaxKeyRecordOctets, 'A')).has_value());
  EXPECT_TRUE(parse_key_record("p=" + std::string(kMaxKeyRecordOctets - 2, 'A')).has_value());
}

TEST(DkKeyRecord, Granularity) {
  EXPECT_TRUE(granularity_matches("", "anyone"));
  EXPECT_TRUE(granularity_matches("*", "anyone"));
  EXPECT_TRUE(granularity_matches("alice", "alice"));
  EXPECT_FALSE(granularity_matches("alice", "bob"));
  EXPECT_TRUE(granularity_matches("news*", "newsletter"));
  EXPECT_TRUE(granularity_matches("*-bounce", "list-bounce"));
  EXPECT_FALSE(granularity_matches("ab*ba", "aba"));
}

}  // namespace
}  // namespace postseal::domainkeys
