// received_spf_test.cpp - the one Received-SPF renderer (RFC 7208 9.1) of every command and
// front end: the perl daemon's form (docs/compat.md, seed 000) with RFC identity names, and untrusted values
// (HELO, sender, reason from DNS) that cannot end the field, add a key or break the comment.
#include "verifier/decision/received_spf.hpp"

#include <gtest/gtest.h>

namespace postseal {
namespace {

decision::SpfReport softfail_report() {
  decision::SpfReport r;
  r.identity = spf::Identity::mailfrom;
  r.outcome.result = spf::SpfResult::softfail;
  r.outcome.mechanism = "~all";
  r.outcome.domain = "example.com";
  r.client_ip = "192.0.2.1";
  r.sender = "info@example.com";
  r.helo = "mail.example.com";
  r.receiver = "mx.example.net";
  return r;
}

TEST(ReceivedSpf, FieldFormat) {
  EXPECT_EQ(decision::received_spf_field(softfail_report()),
            "Received-SPF: softfail (example.com: Sender is not authorized by default to use 'info@example.com' "
            "in 'mfrom' identity, however domain is not currently prepared for false failures (mechanism '~all' "
            "matched)) receiver=mx.example.net; identity=mailfrom; envelope-from=\"info@example.com\"; "
            "helo=mail.example.com; client-ip=192.0.2.1");
}

TEST(ReceivedSpf, UntrustedValuesStayInsideTheField) {
  auto r = softfail_report();
  r.helo = "bad (helo) \"x\"\r\nX-Injected: 1";
  r.sender = "a\"b\\c@example.com";
  r.outcome.result = spf::SpfResult::permerror;
  r.outcome.reason = "unknown mechanism 'foo(' \r\naction=REJECT";
  r.outcome.mechanism.clear();
  const std::string h = decision::received_spf_field(r);
  EXPECT_EQ(h.find_first_of("\r\n"), std::string::npos) << h;
  for (char c : h) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) << h;
  // the comment is balanced: every '(' in it is closed where the renderer closes it
  int depth = 0, min_depth = 0;
  bool in_quote = false;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == '\\') { ++i; continue; }
    if (h[i] == '"' && depth == 0) in_quote = !in_quote;
    if (in_quote) continue;
    if (h[i] == '(') ++depth;
    if (h[i] == ')') min_depth = std::min(min_depth, --depth);
  }
  EXPECT_EQ(depth, 0) << h;
  EXPECT_EQ(min_depth, 0) << h;
  EXPECT_NE(h.find("helo=\""), std::string::npos) << "a HELO that is not a dot-atom is quoted: " << h;
  EXPECT_EQ(h.find("\nX-Injected"), std::string::npos);
}

}  // namespace
}  // namespace postseal
