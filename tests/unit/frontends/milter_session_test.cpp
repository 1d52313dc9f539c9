// milter_session_test.cpp - the pure steps of the milter front end: header values from the MTA
// back to raw fields (LF folds -> CRLF, leading space), field limits, whitelist matching,
// forged A-R occurrence numbers (highest first), also past the field and octet limits, socket
// specs, A-R value composition, the per-message log text.
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
  for (std::size_t i = 0; i < mail::kMaxHeaderFields; ++i) ASSERT_TRUE(add_field(s, f, "mx.test.local"));
  EXPECT_FALSE(add_field(s, f, "mx.test.local"));
  EXPECT_EQ(s.fields.size(), mail::kMaxHeaderFields);
  EXPECT_FALSE(s.header_problem.empty());
}

TEST(MilterSession, BareCrInAFieldMeansDkimIsNotChecked) {
  // "X: y\rFrom: evil": a reader that splits at the CR sees a second From under a signature
  // that did not cover it (the header parser refuses the same block).
  Session s;
  EXPECT_TRUE(add_field(s, raw_field("From", "alice@example.com", false), "mx.test.local"));
  EXPECT_FALSE(add_field(s, raw_field("X", "y\rFrom: evil@attacker.example", false), "mx.test.local"));
  EXPECT_EQ(s.header_problem, "bare CR in header");
  Session folded;
  EXPECT_TRUE(add_field(folded, raw_field("X", "folded\n\tline", false), "mx.test.local"));
  EXPECT_EQ(folded.header_problem, "");
}

TEST(MilterSession, BadFieldNameMeansDkimIsNotChecked) {
  // RFC 5322 2.2: a field name is printable US-ASCII without a colon; the header parser
  // refuses a block with any other, so the milter must not collect one either.
  Session s;
  EXPECT_FALSE(add_field(s, raw_field("X\nFrom", " evil@attacker.example", true), "mx.test.local"));
  EXPECT_EQ(s.header_problem, "bad header field name");
  EXPECT_TRUE(s.fields.empty());
  Session fine;
  EXPECT_TRUE(add_field(fine, raw_field("X-Fine", " yes", true), "mx.test.local"));
}

TEST(MilterSession, HeaderOctetLimitHolds) {
  Session s;
  mail::HeaderField big{"X: " + std::string(mail::kMaxHeaderBlockBytes / 2, 'a')};
  EXPECT_TRUE(add_field(s, big, "mx.test.local"));
  EXPECT_FALSE(add_field(s, big, "mx.test.local"));
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
  Session s;
  for (std::string raw : {"Authentication-Results: other.example; spf=pass", "Received: x",
                          "Authentication-Results: mx.test.local; dkim=pass",
                          "Authentication-Results: (c) MX.TEST.LOCAL; spf=pass"})
    add_field(s, mail::HeaderField{raw}, "mx.test.local");
  EXPECT_EQ(forged_occurrences(s), (std::vector<int>{3, 2}));
}

// A forged A-R as field 1,001 (past kMaxHeaderFields) is found and numbered among all A-R
// fields, not only the stored ones.
TEST(MilterSession, ForgedPastTheFieldLimitIsFound) {
  Session s;
  add_field(s, mail::HeaderField{"Authentication-Results: other.example; spf=pass"}, "mx.test.local");
  for (std::size_t i = 1; i < mail::kMaxHeaderFields; ++i) add_field(s, mail::HeaderField{"X: y"}, "mx.test.local");
  EXPECT_FALSE(add_field(s, mail::HeaderField{"Authentication-Results: mx.test.local; dkim=pass header.d=paypal.com"},
                         "mx.test.local"));
  EXPECT_FALSE(add_field(s, mail::HeaderField{"Authentication-Results: other.example; dkim=pass"}, "mx.test.local"));
  EXPECT_FALSE(add_field(s, mail::HeaderField{"authentication-results: MX.test.local; spf=pass"}, "mx.test.local"));
  EXPECT_EQ(s.fields.size(), mail::kMaxHeaderFields);
  EXPECT_EQ(forged_occurrences(s), (std::vector<int>{4, 2}));
}

// The same past the octet limit (a field too large to store).
TEST(MilterSession, ForgedPastTheOctetLimitIsFound) {
  Session s;
  add_field(s, mail::HeaderField{"X: " + std::string(mail::kMaxHeaderBlockBytes, 'a')}, "mx.test.local");
  EXPECT_FALSE(s.header_problem.empty());
  add_field(s, mail::HeaderField{"Authentication-Results: mx.test.local; dkim=pass"}, "mx.test.local");
  EXPECT_EQ(forged_occurrences(s), (std::vector<int>{1}));
  s.reset_message();
  EXPECT_TRUE(forged_occurrences(s).empty());
  EXPECT_EQ(s.auth_results_seen, 0);
}

TEST(MilterSession, ResultsLogTextIsOneLineWithoutTheId) {
  EXPECT_EQ(results_log_text(" mx.test.local;\n\tspf=pass smtp.mailfrom=a@b.example;\n\tdkim=none"),
            "spf=pass smtp.mailfrom=a@b.example; dkim=none");
  EXPECT_EQ(results_log_text(" mx.test.local; none"), "none");
  EXPECT_EQ(results_log_text("garbage"), "");
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
