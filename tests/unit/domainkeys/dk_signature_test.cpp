// dk_signature_test.cpp - DomainKey-Signature tags (RFC 4870 3.5), h= selection, rendering.
#include "core/domainkeys/dk_signature.hpp"
#include "core/mail/header_folder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal::domainkeys {
namespace {

TEST(DkSignatureParse, FullAndDefaults) {
  auto sig = parse_signature(
      " a=rsa-sha1; q=dns; c=nofws;\r\n\ts=Sel1; d=Example.COM;\r\n\th=From : To:subject;\r\n"
      "\tb=YWJj\r\n\tZGVm;");
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_EQ(sig->a, "rsa-sha1");
  EXPECT_EQ(sig->c, DkCanon::nofws);
  EXPECT_EQ(sig->d, "example.com");
  EXPECT_EQ(sig->s, "sel1");
  EXPECT_EQ(sig->b, "YWJjZGVm");
  EXPECT_EQ(sig->h, (std::vector<std::string>{"from", "to", "subject"}));

  auto minimal = parse_signature("d=example.com; s=s; b=YWJj");
  ASSERT_TRUE(minimal.has_value()) << minimal.error();
  EXPECT_EQ(minimal->c, DkCanon::simple);  // 3.5: c= defaults to simple
  EXPECT_EQ(minimal->q, "dns");
  EXPECT_EQ(minimal->a, "rsa-sha1");
  EXPECT_TRUE(minimal->h.empty());
}

TEST(DkSignatureParse, BadTagsArePermerrorReasons) {
  struct Case {
    std::string value;
    std::string reason_contains;
  };
  const Case cases[] = {
      {"a=rsa-sha256; d=example.com; s=s; b=YWJj", "algorithm"},
      {"c=relaxed; d=example.com; s=s; b=YWJj", "c="},
      {"q=dns/txt; d=example.com; s=s; b=YWJj", "q="},
      {"s=s; b=YWJj", "d="},
      {"d=example.com; b=YWJj", "s="},
      {"d=example.com; s=s", "b="},
      {"d=example.com; s=s; b=", "b="},
      {"d=example.com; d=example.org; s=s; b=YWJj", "duplicate"},
      {"d=exa;mple.com; s=s; b=YWJj", "tag"},
      {"d=example.com; s=a b; b=YWJj", "s="},
      {"d=-bad.example; s=s; b=YWJj", "d="},
      {"d=example.com\x01; s=s; b=YWJj", "d="},
      {"d=example.com; s=s; h=from::to; b=YWJj", "h="},
      {"d=example.com; s=s; b=YWJj; junk", "="},
  };
  for (const auto& c : cases) {
    auto sig = parse_signature(c.value);
    ASSERT_FALSE(sig.has_value()) << c.value;
    EXPECT_NE(sig.error().find(c.reason_contains), std::string::npos)
        << c.value << " -> " << sig.error();
  }
}

TEST(DkSignatureParse, LimitsHold) {
  std::string big = "d=example.com; s=s; b=" + std::string(kMaxSignatureFieldOctets, 'A');
  EXPECT_FALSE(parse_signature(big).has_value());
  std::string h = "d=example.com; s=s; b=YWJj; h=x";
  for (std::size_t i = 1; i < kMaxSignedHeaderNames; ++i) h += ":x";
  EXPECT_TRUE(parse_signature(h).has_value());
  EXPECT_FALSE(parse_signature(h + ":x").has_value());
  EXPECT_TRUE(valid_hostname(std::string(kMaxLabelOctets, 'a') + ".example", false));
  EXPECT_FALSE(valid_hostname(std::string(kMaxLabelOctets + 1, 'a') + ".example", false));
  std::string long_name;
  while (long_name.size() + 4 <= kMaxDomainOctets) long_name += "abc.";
  long_name += "x";
  EXPECT_LE(long_name.size(), kMaxDomainOctets);
  EXPECT_TRUE(valid_hostname(long_name, false));
  EXPECT_FALSE(valid_hostname(long_name + std::string(kMaxDomainOctets, 'x'), false));
  EXPECT_TRUE(valid_hostname("s_1", true));
  EXPECT_FALSE(valid_hostname("s_1", false));
  EXPECT_FALSE(valid_hostname("a..b", false));
}

std::vector<std::string> selected(const std::string& h, const std::vector<std::string>& raws) {
  std::vector<mail::HeaderField> fields;
  for (const auto& r : raws) fields.push_back(mail::HeaderField{r});
  DkSignature sig;
  if (!h.empty()) {
    auto parsed = parse_signature("d=example.com; s=s; b=YWJj; h=" + h);
    EXPECT_TRUE(parsed.has_value());
    sig = *parsed;
  }
  std::vector<std::string> out;
  for (const auto* f : signed_fields(sig, fields)) out.push_back(f->raw);
  return out;
}

TEST(DkSignedFields, WithoutHEveryFieldBelow) {
  EXPECT_EQ(selected("", {"A: 1", "B: 2"}), (std::vector<std::string>{"A: 1", "B: 2"}));
}

TEST(DkSignedFields, HFiltersAndOrders) {
  const std::vector<std::string> msg = {"Received: r1", "From: f", "To: t", "Received: r2",
                                        "X-Late: x"};
  // names not in h= are left out; one mention takes every field of that name
  EXPECT_EQ(selected("from:to", msg), (std::vector<std::string>{"From: f", "To: t"}));
  EXPECT_EQ(selected("received:from", msg),
            (std::vector<std::string>{"Received: r1", "Received: r2", "From: f"}));
  // one mention per occurrence, in message order, reproduces message order
  EXPECT_EQ(selected("received:from:to:received", msg),
            (std::vector<std::string>{"Received: r1", "From: f", "To: t", "Received: r2"}));
  // h= order wins over message order; case-insensitive names
  EXPECT_EQ(selected("TO:From", msg), (std::vector<std::string>{"To: t", "From: f"}));
  // a name listed but absent selects nothing
  EXPECT_EQ(selected("cc:from", msg), (std::vector<std::string>{"From: f"}));
}

TEST(DkRender, FoldedParsableAndShort) {
  SignatureTags tags;
  tags.c = DkCanon::nofws;
  tags.d = "example.com";
  tags.s = "sel";
  for (int i = 0; i < 30; ++i) tags.h.push_back(i % 2 ? "Received" : "X-Header-" + std::to_string(i));
  tags.b = std::string(172, 'Q') + "==";
  std::string field = render_signature_field(tags);
  ASSERT_TRUE(field.ends_with("\r\n"));
  ASSERT_TRUE(field.starts_with("DomainKey-Signature: a=rsa-sha1; q=dns; c=nofws;"));
  std::size_t start = 0;
  while (start < field.size()) {
    auto end = field.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, mail::kFoldColumns) << field.substr(start, end - start);
    start = end + 2;
  }
  auto sig = parse_signature(field.substr(field.find(':') + 1));
  ASSERT_TRUE(sig.has_value()) << sig.error();
  EXPECT_EQ(sig->b, tags.b);
  EXPECT_EQ(sig->h.size(), tags.h.size());
  EXPECT_EQ(sig->h[1], "received");
  EXPECT_EQ(sig->c, DkCanon::nofws);
}

TEST(DkRender, NoHTagWhenNoNames) {
  SignatureTags tags{DkCanon::simple, "example.com", "s", {}, "YWJj"};
  std::string field = render_signature_field(tags);
  EXPECT_EQ(field.find("h="), std::string::npos);
  EXPECT_NE(field.find("c=simple;"), std::string::npos);
}

}  // namespace
}  // namespace postseal::domainkeys
