// macro_test.cpp - macro expansion (RFC 7208 7): the RFC's own examples (data file), URL
// escaping, and abuse (docs/security.md 31): huge transformer digits, reversal, long outputs.
#include "verifier/spf/macro.hpp"
#include "verifier/spf/spf.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace postseal::spf {
namespace {

MacroContext rfc_context(bool v6) {
  MacroContext c;
  c.sender = "strong-bad@email.example.com";
  c.local_part = "strong-bad";
  c.sender_domain = "email.example.com";
  c.domain = "email.example.com";
  c.ip = asio::ip::make_address(v6 ? "2001:db8::cb01" : "192.0.2.3");
  c.helo = "mx.example.org";
  c.receiver = "mx.example.net";
  c.timestamp = 1700000000;
  return c;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

TEST(SpfMacro, Rfc7208Examples) {
  std::ifstream in(POSTSEAL_TEST_DATA "/spf/rfc7208-macro-examples.txt");
  ASSERT_TRUE(in);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t');
    const auto t2 = line.find('\t', t1 + 1);
    const std::string macro = line.substr(0, t1);
    const std::string want = line.substr(t1 + 1, t2 - t1 - 1);
    const bool v6 = line.substr(t2 + 1) == "ip6";
    auto got = expand(macro, rfc_context(v6), MacroMode::domain_spec);
    ASSERT_TRUE(got) << macro << ": " << got.error();
    // IPv6 nibbles are hex digits: DNS compares them case-insensitively.
    EXPECT_EQ(lower(*got), want) << macro;
    ++n;
  }
  EXPECT_EQ(n, 20);
}

TEST(SpfMacro, EscapesAndLetters) {
  auto c = rfc_context(false);
  c.local_part = "~jack&jill=up";
  EXPECT_EQ(*expand("%{L}", c, MacroMode::explanation), "~jack%26jill%3Dup");
  EXPECT_EQ(*expand("a%%b%_c%-d", c, MacroMode::explanation), "a%b c%20d");
  EXPECT_EQ(*expand("%{c} %{r} %{t}", c, MacroMode::explanation), "192.0.2.3 mx.example.net 1700000000");
  EXPECT_EQ(*expand("%{p}", c, MacroMode::domain_spec), "unknown");
  EXPECT_FALSE(expand("%{c}", c, MacroMode::domain_spec));
  EXPECT_FALSE(expand("%{x}", c, MacroMode::explanation));
  EXPECT_FALSE(expand("%", c, MacroMode::explanation));
  EXPECT_FALSE(expand("%{d", c, MacroMode::explanation));
  EXPECT_FALSE(expand("a b", c, MacroMode::domain_spec));
  EXPECT_TRUE(expand("a b", c, MacroMode::explanation));
}

// RFC 7208 7.3: a DIGIT asking for as many parts as the value has, or more, uses them all
// (libspf2 1.2.10 does not: fuzz/regressions/spf_libspf2_diff_fuzz/crash-e39664..., "a:%{D2}"
// for example.com; pyspf expands it as we do).
TEST(SpfMacro, DigitTransformerAtOrAboveThePartCountTakesEveryPart) {
  auto c = rfc_context(false);  // domain email.example.com: 3 parts
  EXPECT_EQ(*expand("%{d3}", c, MacroMode::domain_spec), "email.example.com");
  EXPECT_EQ(*expand("%{d4}", c, MacroMode::domain_spec), "email.example.com");
  EXPECT_EQ(*expand("%{D3}", c, MacroMode::domain_spec), "email.example.com");
  EXPECT_EQ(*expand("%{d2}", c, MacroMode::domain_spec), "example.com");
}

TEST(SpfMacro, AbuseIsBounded) {
  auto c = rfc_context(false);
  EXPECT_EQ(*expand("%{d2147483648}", c, MacroMode::domain_spec), "email.example.com");
  EXPECT_EQ(*expand("%{d99999999999999999999999}", c, MacroMode::domain_spec), "email.example.com");
  EXPECT_EQ(*expand("%{l1r-}", c, MacroMode::domain_spec), "strong");
  EXPECT_EQ(*expand("%{l1r-.+,/_=}", c, MacroMode::domain_spec), "strong");
  // An output over kMaxMacroOutput is refused, not built.
  c.local_part = std::string(1000, 'x');
  std::string spec;
  for (int i = 0; i < 20; ++i) spec += "%{l}";
  EXPECT_FALSE(expand(spec, c, MacroMode::domain_spec));
  // Domains are cut to 253 octets by removing left labels.
  c.local_part = std::string(63, 'a');
  std::string long_spec;
  for (int i = 0; i < 6; ++i) long_spec += "%{l}.";
  long_spec += "example.com";
  auto d = expand_domain(long_spec, c);
  ASSERT_TRUE(d);
  EXPECT_LE(d->size(), kMaxDomainOctets);
  EXPECT_TRUE(d->ends_with(".example.com"));
  EXPECT_TRUE(valid_domain(*d));
}

TEST(SpfMacro, ReverseNames) {
  EXPECT_EQ(reverse_name(asio::ip::make_address("192.0.2.3")), "3.2.0.192.in-addr.arpa");
  EXPECT_EQ(lower(reverse_name(asio::ip::make_address("2001:db8::cb01"))),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

TEST(SpfDomain, Validation) {
  EXPECT_TRUE(valid_domain("example.com"));
  EXPECT_TRUE(valid_domain("example.com."));
  EXPECT_FALSE(valid_domain("localhost"));
  EXPECT_FALSE(valid_domain("[192.0.2.1]"));
  EXPECT_FALSE(valid_domain("a..example.com"));
  EXPECT_TRUE(valid_domain(std::string(kMaxLabelOctets, 'a') + ".example.com"));
  EXPECT_FALSE(valid_domain(std::string(kMaxLabelOctets + 1, 'a') + ".example.com"));
  std::string name;
  while (name.size() < kMaxDomainOctets - 3) name += "abcd.";
  name += "com";  // 253 octets
  ASSERT_EQ(name.size(), kMaxDomainOctets);
  EXPECT_TRUE(valid_domain(name));
  EXPECT_FALSE(valid_domain("a" + name));
  EXPECT_FALSE(valid_domain(std::string("exa\nmple.com")));
}

}  // namespace
}  // namespace postseal::spf
