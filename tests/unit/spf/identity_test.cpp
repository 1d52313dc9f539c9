// identity_test.cpp - SECURITY 32 and 33: explanation texts are made safe before they reach
// a header or a reply; HELO and MAIL FROM are reported separately; the null sender uses HELO;
// Received-SPF and Authentication-Results text; the libspf2 engine through the same interface.
#include "tests/unit/spf/spf_test_util.hpp"
#include "verifier/spf/identity.hpp"
#include "verifier/spf/explanation.hpp"

#include <gtest/gtest.h>

namespace postseal::spf {
namespace {

using testing::addr;
using testing::run;
using testing::txt;

void session_zone(dns::MemoryZone& z) {
  z.add("mail.example.org", txt({"v=spf1 ip4:192.0.2.1 -all"}));
  z.add("example.com", txt({"v=spf1 ip4:198.51.100.0/24 -all exp=why.example.com"}));
  z.add("why.example.com", txt({"%{i} is not ok\r\naction=REJECT bad\x01 ", "(see) \"x\""}));
}

SessionChecks check(SpfEngine& engine, dns::Resolver& zone, std::string mail_from) {
  SessionIdentities s;
  s.ip = asio::ip::make_address("192.0.2.1");
  s.helo = "mail.example.org";
  s.mail_from = std::move(mail_from);
  s.receiver = "mx.example.net";
  return run(check_session(engine, zone, s, SpfOptions{}));
}

TEST(SpfIdentity, HeloPassMailFromFailReportedSeparately) {
  dns::MemoryZone zone;
  session_zone(zone);
  auto engine = make_native_engine();
  auto got = check(*engine, zone, "user@example.com");
  ASSERT_TRUE(got.helo);
  EXPECT_EQ(got.helo->outcome.result, SpfResult::pass);
  EXPECT_EQ(got.helo->identity, Identity::helo);
  EXPECT_EQ(got.mailfrom.outcome.result, SpfResult::fail);
  EXPECT_EQ(got.mailfrom.identity, Identity::mailfrom);
  EXPECT_EQ(got.helo->query.helo, "mail.example.org");
  EXPECT_EQ(got.mailfrom.query.sender, "user@example.com");
}

TEST(SpfIdentity, NullSenderUsesHelo) {
  dns::MemoryZone zone;
  session_zone(zone);
  auto engine = make_native_engine();
  auto got = check(*engine, zone, "");
  EXPECT_TRUE(got.mailfrom.null_sender);
  EXPECT_EQ(got.mailfrom.identity, Identity::helo);
  EXPECT_EQ(got.mailfrom.query.sender, "postmaster@mail.example.org");
  EXPECT_EQ(got.mailfrom.outcome.result, SpfResult::pass);
  EXPECT_EQ(zone.queries().size(), 1u);  // the HELO result is reused, not looked up twice
}

TEST(SpfIdentity, ExplanationIsMadeSafe) {
  dns::MemoryZone zone;
  session_zone(zone);
  auto engine = make_native_engine();
  auto got = check(*engine, zone, "user@example.com").mailfrom;
  ASSERT_EQ(got.outcome.result, SpfResult::fail);
  // The exp text has CR LF and a control character: expansion refuses it (RFC 7208 6.2 says
  // a bad explanation is ignored), so the default text is used.
  EXPECT_TRUE(got.outcome.explanation.empty());
  const std::string text = explanation_text(got);
  EXPECT_EQ(text.find_first_of("\r\n"), std::string::npos);
  for (char c : text) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) << text;
}

TEST(SpfIdentity, ExplanationExpandedAndBounded) {
  dns::MemoryZone z;
  z.add("example.com", txt({"v=spf1 -all exp=why.example.com"}));
  z.add("why.example.com", txt({"%{c} may not send for %{d}; action=REJECT ", std::string(600, 'x')}));
  SpfQuery q = testing::query("192.0.2.1", "u@example.com");
  auto got = run(check_host(z, q, SpfOptions{}));
  ASSERT_EQ(got.result, SpfResult::fail);
  EXPECT_TRUE(got.explanation.starts_with("192.0.2.1 may not send for example.com; action=REJECT")) << got.explanation;
  EXPECT_LE(got.explanation.size(), kMaxExplanationLength + 3);
  SpfCheck c;
  c.query = q;
  c.outcome = got;
  EXPECT_EQ(explanation_text(c).find_first_of("\r\n"), std::string::npos);
}

TEST(SpfEngines, Libspf2ThroughTheSameInterface) {
  dns::MemoryZone zone;
  session_zone(zone);
  auto engine = make_libspf2_engine();
  EXPECT_EQ(engine->name(), "libspf2");
  auto got = check(*engine, zone, "user@example.com");
  ASSERT_TRUE(got.helo);
  EXPECT_EQ(got.helo->outcome.result, SpfResult::pass);
  EXPECT_EQ(got.mailfrom.outcome.result, SpfResult::fail);
  EXPECT_FALSE(make_engine("nonesuch"));
  EXPECT_EQ(make_engine("native")->name(), "native");
}

}  // namespace
}  // namespace postseal::spf
