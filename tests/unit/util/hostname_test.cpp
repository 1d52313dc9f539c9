// hostname_test.cpp - the one label walker: the RFC 1035 2.3.4 limits hold at their edges and
// each LabelChars set accepts what its callers accepted before it.
#include "core/util/hostname.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal {
namespace {

std::string name_of_length(std::size_t n) {  // labels of 9 "a" and dots, exactly n octets
  std::string s;
  while (s.size() + 10 < n) s += "aaaaaaaaa.";
  s += std::string(n - s.size(), 'b');
  return s;
}

TEST(Hostname, LimitsHold) {
  EXPECT_EQ(kMaxLabelOctets, 63u);
  EXPECT_EQ(kMaxDomainOctets, 253u);
  EXPECT_EQ(kMaxWireDomainOctets, kMaxDomainOctets + 2);
  for (auto chars : {LabelChars::ldh, LabelChars::ldh_underscore, LabelChars::no_controls}) {
    EXPECT_TRUE(is_hostname(std::string(kMaxLabelOctets, 'a') + ".example", chars));
    auto long_label = check_hostname(std::string(kMaxLabelOctets + 1, 'a') + ".example", chars);
    ASSERT_TRUE(long_label);
    EXPECT_EQ(long_label->problem, NameProblem::label_too_long);
    EXPECT_TRUE(is_hostname(name_of_length(kMaxDomainOctets), chars));
    auto long_name = check_hostname(name_of_length(kMaxDomainOctets + 1), chars);
    ASSERT_TRUE(long_name);
    EXPECT_EQ(long_name->problem, NameProblem::too_long);
  }
}

TEST(Hostname, Table) {
  using enum LabelChars;
  struct Case {
    std::string name;
    LabelChars chars;
    std::size_t min_labels;
    std::optional<NameProblem> want;
  } cases[] = {
      {"example.com", ldh, 1, std::nullopt},
      {"a-b.example", ldh, 1, std::nullopt},
      {"localhost", ldh, 1, std::nullopt},
      {"localhost", ldh, 2, NameProblem::too_few_labels},
      {"", ldh, 1, NameProblem::empty},
      {".example.com", ldh, 1, NameProblem::empty_label},
      {"example.com.", ldh, 1, NameProblem::empty_label},
      {"example..com", ldh, 1, NameProblem::empty_label},
      {"-a.example", ldh, 1, NameProblem::bad_hyphen},
      {"a-.example", ldh, 1, NameProblem::bad_hyphen},
      {"a_b.example", ldh, 1, NameProblem::bad_character},
      {"a_b.example", ldh_underscore, 1, std::nullopt},
      {"_domainkey.example", ldh_underscore, 1, std::nullopt},
      {"_-.example", ldh_underscore, 1, NameProblem::bad_hyphen},
      {"exa mple.com", ldh, 1, NameProblem::bad_character},
      {"s\xc3\xa9.example", ldh, 1, NameProblem::bad_character},
      {"s\xc3\xa9.example", no_controls, 2, std::nullopt},
      {"exa mple.com", no_controls, 2, std::nullopt},
      {"-a.example", no_controls, 2, std::nullopt},
      {"a\tb.example", no_controls, 2, NameProblem::bad_character},
      {"a\x7f" "b.example", no_controls, 2, NameProblem::bad_character},
      {std::string("a\0b.example", 11), no_controls, 2, NameProblem::bad_character},
  };
  for (const auto& c : cases) {
    auto got = check_hostname(c.name, c.chars, c.min_labels);
    EXPECT_EQ(got.has_value(), c.want.has_value()) << c.name;
    if (got && c.want) {
      EXPECT_EQ(got->problem, *c.want) << c.name << ": " << to_string(got->problem);
    }
  }
  auto bad = check_hostname("a_b.example", LabelChars::ldh);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->character, '_');
}

}  // namespace
}  // namespace postseal
