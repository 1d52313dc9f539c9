// decider_session_test.cpp - the decider over the real SPF engines (native and libspf2, each
// as spf.engine names it): HELO and MAIL FROM are checked and reported separately
// (docs/security.md 33), the null sender is judged on HELO alone with one lookup, an exp=
// text that tries to add lines never reaches the reply (docs/security.md 32); SASL-
// authenticated clients are skipped unless skip_authenticated is off.
#include "policy_test_support.hpp"

#include "verifier/spf/engine.hpp"

#include <gtest/gtest.h>

namespace postseal {
namespace {

using decision::Decider;
using decision::Options;
using decision::Transaction;
using decision::Verdict;
using R = spf::SpfResult;
using test::run_sync;

std::unique_ptr<dns::MemoryZone> session_zone() {
  auto z = std::make_unique<dns::MemoryZone>();
  z->add("mail.example.org", test::txt("v=spf1 ip4:192.0.2.1 -all"));
  z->add("example.com", test::txt("v=spf1 ip4:198.51.100.0/24 -all exp=why.example.com"));
  dns::Record bad;
  bad.type = dns::RrType::txt;
  bad.strings = {"%{i} is not ok\r\naction=REJECT bad\x01 ", "(see) \"x\""};
  z->add("why.example.com", bad);
  return z;
}

Transaction session(std::string sender, std::string sasl_username = "") {
  Transaction t{asio::ip::make_address("192.0.2.1"), "", "mail.example.org", std::move(sender), "4F1A2B"};
  t.sasl_username = std::move(sasl_username);
  return t;
}

// EngineSession - a decider over `engine` and the session zone.
class EngineSession : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { engine_ = spf::make_engine(GetParam()); }
  decision::Decision decide(const Transaction& t, Options o = {}) {
    o.authserv_id = "mx.example.net";
    Decider d(std::move(o), decision::engine_checker(*engine_, *zone_), zone_.get(), clock_);
    return run_sync(d.decide(t));
  }
  std::unique_ptr<dns::MemoryZone> zone_ = session_zone();
  std::unique_ptr<spf::SpfEngine> engine_;
  FixedClock clock_{1'700'000'000};
};

TEST_P(EngineSession, HeloPassMailFromFailReportedSeparately) {
  auto got = decide(session("user@example.com"));
  ASSERT_TRUE(got.helo.checked);
  EXPECT_EQ(got.helo.outcome.result, R::pass);
  EXPECT_EQ(got.helo.outcome.domain, "mail.example.org");
  ASSERT_TRUE(got.mail_from.checked);
  EXPECT_EQ(got.mail_from.outcome.result, R::fail);
  EXPECT_EQ(got.mail_from.outcome.domain, "example.com");
  EXPECT_EQ(got.verdict, Verdict::reject);
  EXPECT_NE(got.reply.find("(mailfrom identity)"), std::string::npos) << got.reply;
}

TEST_P(EngineSession, NullSenderUsesHelo) {
  auto got = decide(session(""));
  ASSERT_TRUE(got.helo.checked);
  EXPECT_FALSE(got.mail_from.checked);
  EXPECT_EQ(got.helo.outcome.result, R::pass);
  EXPECT_EQ(got.verdict, Verdict::prepend);
  EXPECT_NE(got.header.find("identity=helo"), std::string::npos) << got.header;
  EXPECT_NE(got.header.find("'mail.example.org' in 'helo' identity"), std::string::npos) << got.header;
  EXPECT_EQ(got.header.find("envelope-from"), std::string::npos) << got.header;
  EXPECT_EQ(zone_->queries().size(), 1u);  // one lookup: the HELO policy
}

TEST_P(EngineSession, ExplanationIsMadeSafe) {
  auto got = decide(session("user@example.com"));
  ASSERT_EQ(got.mail_from.outcome.result, R::fail);
  // The exp text has CR LF and a control character: it is refused (RFC 7208 6.2) or made
  // printable; either way no line break or control reaches the reply.
  EXPECT_EQ(got.reply.find("action=REJECT bad\x01"), std::string::npos) << got.reply;
  for (char c : got.reply)
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) << got.reply;
}

TEST_P(EngineSession, AuthenticatedClientSkipped) {
  auto got = decide(session("user@example.com", "alice@example.net"));
  EXPECT_EQ(got.verdict, Verdict::prepend);
  EXPECT_EQ(got.skipped, decision::kSkipAuthenticated);
  EXPECT_EQ(got.header, "X-Comment: SPF skipped - SASL authenticated client is always allowed.");
  EXPECT_EQ(got.header.find("alice"), std::string::npos);  // the login never goes into the message
  EXPECT_FALSE(got.helo.checked);
  EXPECT_FALSE(got.mail_from.checked);
  EXPECT_TRUE(zone_->queries().empty());
}

TEST_P(EngineSession, AuthenticatedClientCheckedWhenSkipIsOff) {
  Options o;
  o.skip_authenticated = false;
  auto got = decide(session("user@example.com", "alice@example.net"), std::move(o));
  EXPECT_TRUE(got.skipped.empty());
  EXPECT_EQ(got.verdict, Verdict::reject);
  EXPECT_EQ(got.mail_from.outcome.result, R::fail);
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineSession, ::testing::Values("native", "libspf2"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postseal
