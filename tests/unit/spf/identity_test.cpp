// identity_test.cpp - the check_host() inputs of each identity (RFC 7208 2.3, 2.4: HELO as
// postmaster@HELO, the null sender as the HELO identity); exp= texts expanded and bounded
// (docs/security.md 32); the libspf2 engine through the same interface. The HELO -> MAIL FROM
// sequence and its reports are tested on the decider (tests/unit/verifier/decider_session_test.cpp).
#include "tests/unit/spf/spf_test_util.hpp"
#include "verifier/spf/explanation.hpp"
#include "verifier/spf/identity.hpp"

#include <gtest/gtest.h>

namespace postseal::spf {
namespace {

using testing::run;
using testing::txt;

SessionIdentities session(std::string mail_from) {
  SessionIdentities s;
  s.ip = asio::ip::make_address("192.0.2.1");
  s.helo = "mail.example.org";
  s.mail_from = std::move(mail_from);
  s.receiver = "mx.example.net";
  return s;
}

TEST(SpfIdentity, Queries) {
  auto helo = helo_query(session("user@example.com"));
  EXPECT_EQ(helo.sender, "postmaster@mail.example.org");
  EXPECT_EQ(helo.domain, "mail.example.org");
  EXPECT_EQ(helo.helo, "mail.example.org");
  EXPECT_EQ(helo.receiver, "mx.example.net");
  auto mfrom = mailfrom_query(session("user@example.com"));
  EXPECT_EQ(mfrom.sender, "user@example.com");
  EXPECT_EQ(mfrom.domain, "example.com");
  EXPECT_EQ(mfrom.ip, asio::ip::make_address("192.0.2.1"));
  auto null_sender = mailfrom_query(session(""));
  EXPECT_EQ(null_sender.sender, "postmaster@mail.example.org");
  EXPECT_EQ(null_sender.domain, "mail.example.org");
  EXPECT_EQ(to_string(Identity::helo), "helo");
  EXPECT_EQ(to_string(Identity::mailfrom), "mailfrom");
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
  zone.add("mail.example.org", txt({"v=spf1 ip4:192.0.2.1 -all"}));
  zone.add("example.com", txt({"v=spf1 ip4:198.51.100.0/24 -all"}));
  auto engine = make_libspf2_engine();
  EXPECT_EQ(engine->name(), "libspf2");
  auto s = session("user@example.com");
  EXPECT_EQ(run(engine->check_host(zone, helo_query(s), SpfOptions{})).result, SpfResult::pass);
  EXPECT_EQ(run(engine->check_host(zone, mailfrom_query(s), SpfOptions{})).result, SpfResult::fail);
  EXPECT_FALSE(make_engine("nonesuch"));
  EXPECT_EQ(make_engine("native")->name(), "native");
}

}  // namespace
}  // namespace postseal::spf
