// milter_session_test.cpp - the pure steps of the milter front end: header values from the MTA
// back to raw fields (LF folds -> CRLF, leading space), field limits, whitelist matching,
// forged A-R occurrence numbers (highest first), socket specs, A-R value composition.
#include "verifier/milter/milter.hpp"
#include "verifier/milter/session.hpp"

#include <gtest/gtest.h>

namespace postseal::milter {
namespace {

TEST(MilterSession, RawFieldRestoresCrlfFolds) {
  struct Case { std::string_view name, value; bool lead; std::string want; };
  const Case cases[] = {
      {"Subject", " hi", true, "Subject: hi"},
      {"Subject", "hi", false, "Subject: hi"},
      {"X", " a\n\tb", true, "X: a\r\n\tb"},
      {"X", " a\r\n\tb", true, "X: a\r\n\tb"},
  };
  for (const auto& c : cases) EXPECT_EQ(raw_field(c.name, c.value, c.lead).raw, c.want) << c.value;
}

TEST(MilterSession, FieldLimitHolds) {
  Session s;
  mail::HeaderField f{"X: y"};
  for (std::size_t i = 0; i < mail::kMaxHeaderFields; ++i) ASSERT_TRUE(add_field(s, f));
  EXPECT_FALSE(add_field(s, f));
  EXPECT_EQ(s.fields.size(), mail::kMaxHeaderFields);
  EXPECT_FALSE(s.header_problem.empty());
}

TEST(MilterSession, HeaderOctetLimitHolds) {
  Session s;
  mail::HeaderField big{"X: " + std::string(mail::kMaxHeaderBlockBytes / 2, 'a')};
  EXPECT_TRUE(add_field(s, big));
  EXPECT_FALSE(add_field(s, big));
  EXPECT_EQ(s.header_problem, "header block too large");
}

TEST(MilterSession, AddressListed) {
  std::vector<std::string> list{"boss@Example.com", "partner.example"};
  struct Case { std::string_view addr; bool want; };
  const Case cases[] = {{"boss@example.com", true}, {"other@example.com", false},
                        {"x@partner.example", true}, {"x@mx.partner.example", true},
                        {"x@notpartner.example", false}, {"", false}};
  for (const auto& c : cases) EXPECT_EQ(address_listed(c.addr, list), c.want) << c.addr;
}

TEST(MilterSession, ForgedOccurrencesHighestFirst) {
  std::vector<mail::HeaderField> fields{
      {"Authentication-Results: other.example; spf=pass"},
      {"Received: x"},
      {"Authentication-Results: mx.test.local; dkim=pass"},
      {"Authentication-Results: (c) MX.TEST.LOCAL; spf=pass"},
  };
  auto got = forged_occurrences(fields, "mx.test.local");
  EXPECT_EQ(got, (std::vector<int>{3, 2}));
}

TEST(MilterSession, StripAngleAndClientName) {
  EXPECT_EQ(strip_angle("<a@b>"), "a@b");
  EXPECT_EQ(strip_angle("<>"), "");
  EXPECT_EQ(strip_angle("a@b"), "a@b");
  EXPECT_EQ(client_name_from("[192.0.2.1]"), "unknown");
  EXPECT_EQ(client_name_from("mx.example"), "mx.example");
}

TEST(MilterSession, SocketSpecs) {
  struct Case { std::string_view in; std::string want; unsigned short port; };
  const Case cases[] = {{"127.0.0.1:10041", "inet:10041@127.0.0.1", 10041},
                        {"inet:127.0.0.1:10041", "inet:10041@127.0.0.1", 10041},
                        {"inet:10041@127.0.0.1", "inet:10041@127.0.0.1", 10041},
                        {"unix:/run/m.sock", "unix:/run/m.sock", 0}};
  for (const auto& c : cases) {
    unsigned short port = 1;
    auto got = libmilter_spec(c.in, port);
    ASSERT_TRUE(got) << c.in;
    EXPECT_EQ(*got, c.want);
    EXPECT_EQ(port, c.port);
  }
  unsigned short port = 0;
  for (std::string_view bad : {"127.0.0.1:0", "127.0.0.1:70000", "nohost", "unix:", ":25"})
    EXPECT_FALSE(libmilter_spec(bad, port)) << bad;
}

TEST(MilterSession, AuthResultsValueHasNoCr) {
  Session s;
  s.sender = "a@b.example";
  s.decided = true;
  s.decision.mail_from.checked = true;
  s.decision.mail_from.outcome.result = spf::SpfResult::pass;
  dkim::SignatureResult d;
  d.result = dkim::Result::pass;
  d.d = "b.example";
  d.s = "sel";
  d.a = "rsa-sha256";
  d.b = "abcdefghijklmnop";
  auto v = auth_results_value(s, "mx.test.local", {d}, std::nullopt);
  EXPECT_EQ(v.find('\r'), std::string::npos);
  EXPECT_NE(v.find("spf=pass smtp.mailfrom=a@b.example"), std::string::npos) << v;
  EXPECT_NE(v.find("dkim=pass header.d=b.example header.s=sel"), std::string::npos) << v;
  EXPECT_TRUE(v.starts_with(" mx.test.local;")) << v;
}

}  // namespace
}  // namespace postseal::milter
