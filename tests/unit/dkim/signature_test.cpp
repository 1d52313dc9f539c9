// signature_test.cpp - DKIM-Signature parsing (RFC 6376 3.5), docs/security.md 22, 23, 25.
#include "core/dkim/signature.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postseal::dkim {
namespace {

// kBase - a valid signature value; cases replace or drop one tag.
const std::string kBase =
    "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel; h=from : to :\r\n subject; "
    "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAEC\r\n AwQF";

TEST(SignatureParse, ValidSignatureHasRfcNamedFields) {
  auto sig = parse_signature(kBase + "; t=1528637909; x=1528637999; l=10; i=joe@mail.example.com");
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_EQ(sig->a, Algorithm::rsa_sha256);
  EXPECT_EQ(sig->header_canon, Canon::relaxed);
  EXPECT_EQ(sig->body_canon, Canon::simple);
  EXPECT_EQ(sig->d, "example.com");
  EXPECT_EQ(sig->s, "sel");
  EXPECT_EQ(sig->h, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_EQ(sig->b, std::string("\0\1\2\3\4\5", 6));
  EXPECT_EQ(sig->b_text, "AAECAwQF");
  EXPECT_EQ(sig->bh.size(), 32u);
  EXPECT_EQ(sig->t, 1528637909);
  EXPECT_EQ(sig->x, 1528637999);
  EXPECT_EQ(sig->l, 10u);
  EXPECT_EQ(sig->i, "joe@mail.example.com");
  EXPECT_EQ(sig->q, "dns/txt");
}

TEST(SignatureParse, Defaults) {
  auto sig = parse_signature(
      "v=1; a=ed25519-sha256; d=Example.COM; s=a-1.b; h=From; bh=AAAA; b=AAAA");
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_EQ(sig->a, Algorithm::ed25519_sha256);
  EXPECT_EQ(sig->header_canon, Canon::simple);
  EXPECT_EQ(sig->body_canon, Canon::simple);
  EXPECT_EQ(sig->i, "@Example.COM");
  EXPECT_FALSE(sig->l.has_value());
  EXPECT_FALSE(sig->t.has_value());
}

struct BadCase {
  std::string name;
  std::string value;
  std::string want_reason;
};

std::string without(const std::string& tag) {
  std::string out;
  std::size_t start = 0;
  while (start <= kBase.size()) {
    auto semi = kBase.find(';', start);
    auto part = kBase.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    auto name = part.substr(part.find_first_not_of(" "), part.find('=') - part.find_first_not_of(" "));
    if (name != tag) out += (out.empty() ? "" : ";") + part;
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return out;
}

TEST(SignatureParse, BadSignaturesArePermerrorsWithReason) {
  const std::vector<BadCase> cases = {
      {"from not signed", "v=1; a=rsa-sha256; d=example.com; s=s; h=to:subject; bh=AAAA; b=AAAA",
       "From not signed"},
      {"duplicate tag", kBase + "; d=example.org", "duplicate tag"},
      {"missing v", without("v"), "missing required tag v="},
      {"missing a", without("a"), "missing required tag a="},
      {"missing b", without("b"), "missing required tag b="},
      {"missing bh", without("bh"), "missing required tag bh="},
      {"missing d", without("d"), "missing required tag d="},
      {"missing h", without("h"), "missing required tag h="},
      {"missing s", without("s"), "missing required tag s="},
      {"bad base64 b", "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=AAAA; b=AA!A", "bad base64 in b="},
      {"bad padding b", "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=AAAA; b=AAA", "bad base64 in b="},
      {"bad base64 bh", "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=A=AA; b=AAAA", "bad base64 in bh="},
      {"empty b", "v=1; a=rsa-sha256; d=e.com; s=s; h=from; bh=AAAA; b=", "bad base64 in b="},
      {"version 2", "v=2; a=rsa-sha256; d=e.com; s=s; h=from; bh=AAAA; b=AAAA", "unsupported version v="},
      {"unknown a", "v=1; a=rsa-md5; d=e.com; s=s; h=from; bh=AAAA; b=AAAA", "unknown algorithm a=rsa-md5"},
      {"unknown canon", "v=1; a=rsa-sha256; c=loose/simple; d=e.com; s=s; h=from; bh=AAAA; b=AAAA",
       "unknown canonicalization c="},
      {"i outside d", kBase + "; i=joe@example.org", "i= not within d="},
      {"i suffix trick", kBase + "; i=joe@badexample.com", "i= not within d="},
      {"q unknown", kBase + "; q=http/well-known", "unsupported query method q="},
      {"empty h entry", "v=1; a=rsa-sha256; d=e.com; s=s; h=from::to; bh=AAAA; b=AAAA", "bad field name in h="},
      // docs/security.md 25: d= and s= must be host names.
      {"d with NUL", "v=1; a=rsa-sha256; d=exa" + std::string(1, '\0') + "mple.com; s=s; h=from; bh=AAAA; b=AAAA",
       "invalid d= domain"},
      {"d with paren", "v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=s; h=from; bh=AAAA; b=AAAA",
       "invalid d= domain"},
      {"d with space", "v=1; a=rsa-sha256; d=exa mple.com; s=s; h=from; bh=AAAA; b=AAAA", "invalid d= domain"},
      {"d empty label", "v=1; a=rsa-sha256; d=example..com; s=s; h=from; bh=AAAA; b=AAAA", "invalid d= domain"},
      {"s with underscore", "v=1; a=rsa-sha256; d=e.com; s=a_b; h=from; bh=AAAA; b=AAAA", "invalid s= selector"},
      {"s with slash", "v=1; a=rsa-sha256; d=e.com; s=a/b; h=from; bh=AAAA; b=AAAA", "invalid s= selector"},
      {"s 8-bit", "v=1; a=rsa-sha256; d=e.com; s=s\xc3\xa9; h=from; bh=AAAA; b=AAAA", "invalid s= selector"},
      {"s label too long", "v=1; a=rsa-sha256; d=e.com; s=" + std::string(64, 'a') + "; h=from; bh=AAAA; b=AAAA",
       "invalid s= selector"},
      // docs/security.md 23: timestamps.
      {"x before t", kBase + "; t=1000; x=999", "x= before t="},
      {"t overflow", kBase + "; t=9999999999999999999999999", "bad t= timestamp"},
      {"t negative", kBase + "; t=-5", "bad t= timestamp"},
      {"x not a number", kBase + "; x=soon", "bad x= expiry"},
      {"l overflow", kBase + "; l=99999999999999999999999", "bad l= body length"},
  };
  for (const auto& c : cases) {
    auto got = parse_signature(c.value);
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error(), c.want_reason) << c.name;
  }
}

TEST(SignatureParse, TwelveDigitTimestampsParseWithoutOverflow) {
  auto sig = parse_signature(kBase + "; t=999999999999; x=999999999999");
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_EQ(sig->t, 999999999999);
  auto longest = parse_signature(kBase + "; x=" + std::string(kMaxTimestampDigits, '9'));
  ASSERT_TRUE(longest.has_value()) << longest.error();
  auto too_long = parse_signature(kBase + "; x=" + std::string(kMaxTimestampDigits + 1, '1'));
  EXPECT_FALSE(too_long.has_value());
}

TEST(SignatureParse, SignedHeaderLimitHolds) {
  std::string h = "from";
  for (std::size_t n = 1; n < kMaxSignedHeaders; ++n) h += ":to";
  std::string base = "v=1; a=rsa-sha256; d=e.com; s=s; bh=AAAA; b=AAAA; h=";
  EXPECT_TRUE(parse_signature(base + h).has_value());
  auto over = parse_signature(base + h + ":cc");
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error(), "too many fields in h=");
}

TEST(Hostname, Cases) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"example.com", true},     {"a", true},          {"xn--bcher-kva.example", true},
      {"a-b.c", true},           {"-a.com", false},    {"a-.com", false},
      {"a..b", false},           {".a", false},        {"a.", false},
      {"", false},               {"a;b", false},       {"a b", false},
      {std::string(63, 'a') + ".com", true},           {std::string(64, 'a') + ".com", false},
  };
  for (const auto& [name, want] : cases) EXPECT_EQ(is_hostname(name), want) << name;
  std::string long_name;
  while (long_name.size() + 2 <= kMaxDomainOctets) long_name += "a.";
  long_name += "a";
  EXPECT_EQ(is_hostname(long_name), long_name.size() <= kMaxDomainOctets);
  EXPECT_FALSE(is_hostname(long_name + ".bb"));
}

}  // namespace
}  // namespace postseal::dkim
