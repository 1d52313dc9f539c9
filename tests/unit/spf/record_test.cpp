// record_test.cpp - the SPF record parser: what it accepts and what is a permerror (RFC 7208 4.6, 12).
#include "verifier/spf/record.hpp"

#include <gtest/gtest.h>

namespace postseal::spf {
namespace {

struct Case {
  std::string_view record;
  bool ok;
};

TEST(SpfRecord, AcceptsAndRejects) {
  const Case cases[] = {
      {"v=spf1", true},
      {"v=spf1 -all", true},
      {"V=SPF1 -ALL", true},
      {"v=spf1  a  -all ", true},
      {"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all", true},
      {"v=spf1 ip4:0.0.0.0/0 ip6:::/0", true},
      {"v=spf1 a/24//64 mx:example.com/0 a:foo.example.com//128", true},
      {"v=spf1 include:_spf.example.com exists:%{i}._spf.%{d} -all", true},
      {"v=spf1 redirect=_spf.example.com", true},
      {"v=spf1 -all exp=explain.%{d}", true},
      {"v=spf1 -all foo=bar moo.cow-far_out=man:dog/cat", true},
      {"v=spf1 a:a123.example.com a:1-2.example.com", true},
      {"v=spf10", false},
      {"v=spf1 ip4:192.0.2.0/33", false},
      {"v=spf1 ip4:192.0.2.0/032", false},
      {"v=spf1 ip4:192.0.2", false},
      {"v=spf1 ip4:192.0.2.1:25", false},
      {"v=spf1 ip6:2001:db8::/129", false},
      {"v=spf1 ip6:1.2.3.4", false},
      {"v=spf1 a:example.com:8080", false},
      {"v=spf1 a:1.2.3.4", false},
      {"v=spf1 a:example.-com", false},
      {"v=spf1 a:museum", false},
      {"v=spf1 a:", false},
      {"v=spf1 include:", false},
      {"v=spf1 include:example.com/24", false},
      {"v=spf1 exists", false},
      {"v=spf1 ptr/24", false},
      {"v=spf1 all:foo", false},
      {"v=spf1 all/8", false},
      {"v=spf1 redirect:example.com", false},
      {"v=spf1 redirect=a.example.com redirect=b.example.com", false},
      {"v=spf1 exp=a.example.com exp=b.example.com -all", false},
      {"v=spf1 =foo", false},
      {"v=spf1 foo=%abc", false},
      {"v=spf1 -exists:%(ir).sbl.example.com", false},
      {"v=spf1 exists:%{a}.example.com", false},
      {"v=spf1 exists:%{r}.example.com", false},
      {"v=spf1 exists:%{d0}.example.com", false},
      {"v=spf1 a:ctrl.example.com\rptr -all", false},
      {"v=spf1 ip4:192.0.2.5\n -all", false},
      {"v=spf1 \x80" "a:example.net -all", false},
      {"v=spf1 +redirect=example.com", false},
  };
  for (const auto& c : cases) {
    auto r = parse_record(c.record);
    EXPECT_EQ(r.has_value(), c.ok) << "record: " << c.record << (r ? "" : " reason: " + r.error());
    if (!c.ok && !r) {
      EXPECT_FALSE(r.error().empty());
    }
  }
}

TEST(SpfRecord, NulInsideAnAddressIsAPermerror) {
  // A TXT string may hold a NUL; the address after ip4:/ip6: must be read whole, not up to it.
  using namespace std::string_view_literals;
  EXPECT_FALSE(parse_record("v=spf1 ip4:192.0.2.0\0junk -all"sv));
  EXPECT_FALSE(parse_record("v=spf1 ip6:2001:db8::1\0junk/64 -all"sv));
  EXPECT_TRUE(parse_record("v=spf1 ip4:192.0.2.0 -all"sv));
}

TEST(SpfRecord, Fields) {
  auto r = parse_record("v=spf1 -a:mail.example.com/24//48 ~ip4:192.0.2.0/0 ?mx redirect=x.example.com exp=e.example.com");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(r->mechanisms.size(), 3u);
  EXPECT_EQ(r->mechanisms[0].qualifier, Qualifier::fail);
  EXPECT_EQ(r->mechanisms[0].kind, MechanismKind::a);
  EXPECT_EQ(r->mechanisms[0].domain_spec, "mail.example.com");
  EXPECT_EQ(r->mechanisms[0].cidr4, 24);
  EXPECT_EQ(r->mechanisms[0].cidr6, 48);
  EXPECT_EQ(r->mechanisms[1].qualifier, Qualifier::softfail);
  EXPECT_EQ(r->mechanisms[1].cidr4, 0);
  EXPECT_EQ(r->mechanisms[2].qualifier, Qualifier::neutral);
  EXPECT_EQ(r->mechanisms[2].domain_spec, "");
  EXPECT_EQ(*r->redirect, "x.example.com");
  EXPECT_EQ(*r->exp, "e.example.com");
}

TEST(SpfRecord, LimitsHold) {
  std::string many = "v=spf1";
  for (std::size_t i = 0; i <= kMaxTerms; ++i) many += " ip4:192.0.2.1";
  ASSERT_LE(many.size(), kMaxRecordLength);
  EXPECT_FALSE(parse_record(many));
  std::string longest = "v=spf1 " + std::string(kMaxRecordLength, 'x');
  EXPECT_FALSE(parse_record(longest));
}

TEST(SpfRecord, Selection) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("v=SPF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf1-all"));
  EXPECT_FALSE(is_spf_record("v=spf10 -all"));
  EXPECT_FALSE(is_spf_record("spf2.0/pra -all"));
}

}  // namespace
}  // namespace postseal::spf
