// milter_message_checks_test.cpp - the milter's end-of-message checks in one coroutine
// (verifier/milter/message_checks.hpp), on a MemoryZone: RFC 8463's signed message with its
// ed25519 key published and a p=reject DMARC record at football.example.com - DMARC passes on
// the DKIM result finished in the same coroutine (no SPF identity aligns), and fails with
// the reject policy once the body no longer matches; DMARC off or an incomplete header block
// gives no verdict but still the DKIM results; nothing to check means no hand-off at all.
#include "core/dns/memory_zone.hpp"
#include "core/dns/zone_file.hpp"
#include "core/util/clock.hpp"
#include "tests/unit/run_awaitable.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/milter/message_checks.hpp"
#include "verifier/milter/session.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace postseal::milter {
namespace {

constexpr std::string_view kZone = R"(
brisbane._domainkey.football.example.com. TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
_dmarc.football.example.com. TXT "v=DMARC1; p=reject"
)";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  FixedClock clock{1'790'000'000};
  dns::MemoryZone zone;
  verifier::DmarcCheck dmarc;
  Session s;
  // Fixture - the session of RFC 8463's message with the ed25519 signature only (the RSA one's
  // key is not published), its body as read, or `body` instead.
  explicit Fixture(std::optional<std::string> body = std::nullopt) {
    EXPECT_TRUE(dns::read_zone_text(kZone, "test", zone));
    dmarc.settings.enable = true;
    const std::string text = read(std::string(POSTSEAL_TEST_DATA) + "/dkim/rfc8463/signed.eml");
    const std::size_t end = text.find("\r\n\r\n");
    auto fields = mail::parse_header_block(text.substr(0, end + 2));
    EXPECT_TRUE(fields.has_value());
    std::size_t signatures = 0;
    for (auto& f : *fields) {
      if (f.is("DKIM-Signature") && signatures++ == 1) continue;  // the RSA signature
      EXPECT_TRUE(add_field(s, f, "mx.example.org"));
    }
    s.sender = "joe@shopping.example.net";  // no SPF decision: only DKIM can align
    s.dkim.emplace(dkim::VerifyOptions{}, clock);
    s.dkim->headers(s.fields);
    s.dk.emplace(clock);
    s.dk->headers(s.fields);
    const std::string b = body.value_or(text.substr(end + 4));
    s.dkim->body(b);
    s.dk->body(b);
  }
  MessageChecks run(const verifier::DmarcCheck* check) {
    EXPECT_TRUE(has_message_checks(s, check));
    return test::run(check_message(s, check, zone));
  }
};

TEST(MilterMessageChecks, DmarcPassesOnTheDkimResultOfTheSameCoroutine) {
  Fixture f;
  auto got = f.run(&f.dmarc);
  ASSERT_EQ(got.dkim.size(), 1u);
  EXPECT_EQ(got.dkim[0].result, dkim::Result::pass) << got.dkim[0].reason;
  EXPECT_FALSE(got.domainkeys) << "no DomainKey-Signature";
  ASSERT_TRUE(got.dmarc);
  EXPECT_EQ(got.dmarc->result, dmarc::Result::pass) << got.dmarc->reason;
  ASSERT_EQ(got.dmarc->authors.size(), 1u);
  EXPECT_TRUE(got.dmarc->authors[0].dkim_aligned);
  EXPECT_EQ(got.dmarc->action, dmarc::Action::accept);
}

TEST(MilterMessageChecks, ABrokenBodyFailsDkimAndDmarcRejects) {
  Fixture f("Hi.\r\n\r\nWe won the game.\r\n");
  auto got = f.run(&f.dmarc);
  ASSERT_EQ(got.dkim.size(), 1u);
  EXPECT_EQ(got.dkim[0].result, dkim::Result::fail);
  ASSERT_TRUE(got.dmarc);
  EXPECT_EQ(got.dmarc->result, dmarc::Result::fail);
  EXPECT_EQ(got.dmarc->action, dmarc::Action::reject);
  EXPECT_EQ(got.dmarc->header_from, "football.example.com");
}

TEST(MilterMessageChecks, NoVerdictWithDmarcOffOrAnIncompleteHeader) {
  Fixture off;
  auto got = off.run(nullptr);
  ASSERT_EQ(got.dkim.size(), 1u);
  EXPECT_EQ(got.dkim[0].result, dkim::Result::pass);
  EXPECT_FALSE(got.dmarc);

  Fixture cut;
  cut.s.header_problem = "more than 1000 header fields";
  got = cut.run(&cut.dmarc);
  EXPECT_EQ(got.dkim.size(), 1u);
  EXPECT_FALSE(got.dmarc) << "the From fields may not all be known";
}

TEST(MilterMessageChecks, NothingToCheckNeedsNoHandOff) {
  Fixture f;
  f.s.dkim.reset();
  f.s.dk.reset();
  EXPECT_FALSE(has_message_checks(f.s, nullptr));
  EXPECT_TRUE(has_message_checks(f.s, &f.dmarc)) << "DMARC alone (no DKIM verifier) still runs";
  f.s.header_problem = "header too large";
  EXPECT_FALSE(has_message_checks(f.s, &f.dmarc));
}

}  // namespace
}  // namespace postseal::milter
