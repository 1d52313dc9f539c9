// options_test.cpp - option words and domain lists of the decision core.
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
