// options_test.cpp - option words, CIDR lists and domain lists of the decision core.
#include "verifier/decision/address_list.hpp"
#include "verifier/decision/options.hpp"
#include "verifier/decision/ptr_check.hpp"

#include <gtest/gtest.h>

namespace postseal::decision {
namespace {

TEST(RejectPolicyWords, OursAndPolicydSpfConfs) {
  struct Case {
    std::string word;
    RejectPolicy want;
  } cases[] = {
      {"fail", RejectPolicy::fail},         {"Fail", RejectPolicy::fail},
      {"softfail", RejectPolicy::softfail}, {"SPF_Not_Pass", RejectPolicy::not_pass},
      {"not_pass", RejectPolicy::not_pass}, {"Null", RejectPolicy::null},
      {"none", RejectPolicy::none},         {"False", RejectPolicy::none},
      {"No_Check", RejectPolicy::no_check},
  };
  for (const auto& c : cases) {
    auto got = parse_reject_policy(c.word);
    ASSERT_TRUE(got) << c.word;
    EXPECT_EQ(*got, c.want) << c.word;
  }
  EXPECT_FALSE(parse_reject_policy("sometimes"));
  EXPECT_FALSE(parse_reject_policy(""));
}

TEST(HeaderTypeWords, Both) {
  EXPECT_EQ(*parse_header_type("received-spf"), HeaderType::received_spf);
  EXPECT_EQ(*parse_header_type("SPF"), HeaderType::received_spf);
  EXPECT_EQ(*parse_header_type("AR"), HeaderType::authentication_results);
  EXPECT_EQ(*parse_header_type("authentication-results"), HeaderType::authentication_results);
  EXPECT_FALSE(parse_header_type("both"));
}

TEST(Cidr, MatchTable) {
  struct Case {
    std::string cidr, ip;
    bool want;
  } cases[] = {
      {"192.0.2.0/24", "192.0.2.255", true},   {"192.0.2.0/24", "192.0.3.0", false},
      {"192.0.2.7", "192.0.2.7", true},        {"192.0.2.7", "192.0.2.8", false},
      {"0.0.0.0/0", "203.0.113.1", true},      {"0.0.0.0/0", "2001:db8::1", false},
      {"10.0.0.0/9", "10.127.255.255", true},  {"10.0.0.0/9", "10.128.0.0", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true}, {"2001:db8::/33", "2001:db8:8000::1", false},
      {"192.0.2.0/24", "::ffff:192.0.2.9", true},  {"::ffff:192.0.2.0/120", "192.0.2.9", true},
  };
  for (const auto& c : cases) {
    auto cidr = parse_cidr(c.cidr);
    ASSERT_TRUE(cidr) << c.cidr;
    EXPECT_EQ(cidr->contains(asio::ip::make_address(c.ip)), c.want) << c.cidr << " " << c.ip;
  }
}

TEST(Cidr, BadEntriesNamed) {
  for (std::string bad : {"192.0.2.0/33", "2001:db8::/129", "example.com", "192.0.2.0/", "192.0.2.0/x", "1.2.3.4/-1"}) {
    auto got = parse_cidr(bad);
    EXPECT_FALSE(got) << bad;
  }
  AddressList list;
  auto r = list.add("192.0.2.0/24, bogus");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("bogus"), std::string::npos);
}

TEST(AddressList, LimitHolds) {
  AddressList list;
  std::string many;
  for (std::size_t i = 0; i < kMaxAddressListEntries; ++i) many += "10.0.0.1,";
  EXPECT_TRUE(list.add(many));
  EXPECT_EQ(list.size(), kMaxAddressListEntries);
  EXPECT_FALSE(list.add("10.0.0.2"));
}

TEST(Localhost, AlwaysRecognised) {
  EXPECT_TRUE(is_localhost(asio::ip::make_address("127.0.0.1")));
  EXPECT_TRUE(is_localhost(asio::ip::make_address("127.255.0.9")));
  EXPECT_TRUE(is_localhost(asio::ip::make_address("::1")));
  EXPECT_TRUE(is_localhost(asio::ip::make_address("::ffff:127.0.0.2")));
  EXPECT_FALSE(is_localhost(asio::ip::make_address("128.0.0.1")));
  EXPECT_FALSE(is_localhost(asio::ip::make_address("::2")));
}

TEST(DomainList, ParsedAndMatched) {
  auto got = parse_domain_list("Pobox.COM, trustedforwarder.org. ");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, (std::vector<std::string>{"pobox.com", "trustedforwarder.org"}));
  EXPECT_FALSE(parse_domain_list("user@example.com"));
  EXPECT_TRUE(domain_matches("mx1.pobox.com", "pobox.com"));
  EXPECT_TRUE(domain_matches("POBOX.com.", "pobox.com"));
  EXPECT_FALSE(domain_matches("evilpobox.com", "pobox.com"));
  EXPECT_FALSE(domain_matches("com", "pobox.com"));
}

TEST(ReverseName, V4AndV6) {
  EXPECT_EQ(reverse_name(asio::ip::make_address("192.0.2.1")), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(reverse_name(asio::ip::make_address("::ffff:192.0.2.1")), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(reverse_name(asio::ip::make_address("2001:db8::1")),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

}  // namespace
}  // namespace postseal::decision
