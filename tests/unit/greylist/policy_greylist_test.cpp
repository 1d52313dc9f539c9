// policy_greylist_test.cpp - the policy session with greylisting (verifier/policy/session.hpp):
// SPF first, then each recipient greylisted: DEFER_IF_PERMIT 4.7.1 for a new triplet, the
// SPF header on the first pass (Received-SPF wins), X-Greylist for a later recipient of the
// message, an SPF reject untouched, MAIL stage and test_only, DUNNO-as-SPF on a store outage.
#include "../verifier/policy_test_support.hpp"

#include "core/state/memory_store.hpp"
#include "core/util/log.hpp"
#include "verifier/greylist/answer.hpp"
#include "verifier/policy/session.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postseal {
namespace {

using test::run_sync;

constexpr std::int64_t kStart = 1700000000;  // Tue, 14 Nov 2023 22:13:20 +0000

std::string request(std::string_view sender, std::string_view ip, std::string_view instance,
                    std::string_view recipient, std::string_view state = "RCPT") {
  std::string r = fmt::format("request=smtpd_access_policy\nprotocol_state={}\nprotocol_name=ESMTP\n", state);
  r += fmt::format("helo_name=mx.client.example\nqueue_id=\nsender={}\nrecipient={}\n", sender, recipient);
  r += fmt::format("client_address={}\nclient_name=unknown\ninstance={}\n\n", ip, instance);
  return r;
}

class GreylistSession : public ::testing::Test {
 protected:
  GreylistSession() : clock_(kStart), store_(clock_, 10000) {
    checker_.results = {{"pass.example", spf::SpfResult::pass}, {"fail.example", spf::SpfResult::fail}};
    rebuild({}, {});
  }

  void rebuild(decision::Options d, greylist::Options g) {
    d.authserv_id = "mx.example.org";
    decider_ = std::make_unique<decision::Decider>(std::move(d), checker_.checker(), nullptr, clock_);
    service_.store.reset();
    service_.greylister = std::make_unique<greylist::Greylister>(store_, clock_, std::move(g));
    service_.host = "mx.example.org";
    session_ = std::make_unique<policy::PolicySession>(*decider_, &service_);
  }

  std::string ask(const std::string& text) {
    auto r = policy::parse_request(text);
    EXPECT_TRUE(r) << text;
    return r ? run_sync(session_->answer(*r)) : "";
  }

  test::FakeChecker checker_;
  FixedClock clock_;
  state::MemoryStore store_;
  greylist::Service service_;
  std::unique_ptr<decision::Decider> decider_;
  std::unique_ptr<policy::PolicySession> session_;
};

TEST_F(GreylistSession, DeferThenPassWithReceivedSpfThenXGreylistForTheNextRecipient) {
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.1", "r1@dest.example")),
            "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in 300 seconds\n\n");
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.1", "r2@dest.example")),
            "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in 300 seconds\n\n");
  clock_.advance(60);
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.2", "r1@dest.example")),
            "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in 240 seconds\n\n");
  clock_.advance(250);
  // the retry: the first recipient carries Received-SPF (it wins), the second X-Greylist
  auto first = ask(request("a@none.example", "192.0.2.10", "m.3", "r1@dest.example"));
  EXPECT_TRUE(first.starts_with("action=PREPEND Received-SPF: none ")) << first;
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.3", "r2@dest.example")),
            fmt::format("action=PREPEND X-Greylist: delayed 310 seconds by postseal-{} at mx.example.org; "
                        "Tue, 14 Nov 2023 22:18:30 +0000\n\n",
                        greylist::kVersion));
  // a third recipient, already passed earlier: nothing to add
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.3", "r1@dest.example")), "action=DUNNO\n\n");
  // a new recipient in the same message is greylisted on its own
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.3", "r3@dest.example")),
            "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in 300 seconds\n\n");
}

TEST_F(GreylistSession, XGreylistOncePerMessage) {
  ask(request("a@none.example", "192.0.2.10", "m.1", "r1@dest.example"));
  ask(request("a@none.example", "192.0.2.10", "m.1", "r2@dest.example"));
  ask(request("a@none.example", "192.0.2.10", "m.1", "r3@dest.example"));
  clock_.advance(300);
  EXPECT_TRUE(ask(request("a@none.example", "192.0.2.10", "m.2", "r1@dest.example")).starts_with("action=PREPEND Received-SPF"));
  EXPECT_TRUE(ask(request("a@none.example", "192.0.2.10", "m.2", "r2@dest.example")).starts_with("action=PREPEND X-Greylist: delayed 300 seconds"));
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.2", "r3@dest.example")), "action=DUNNO\n\n");
}

TEST_F(GreylistSession, SpfRejectIsAnsweredAndNothingRecorded) {
  auto got = ask(request("a@fail.example", "192.0.2.10", "m.1", "r1@dest.example"));
  EXPECT_TRUE(got.starts_with("action=550 5.7.23 ")) << got;
  EXPECT_EQ(store_.count("greylist:t:").value_or(99), 0u);
}

TEST_F(GreylistSession, MailStageIsNotGreylisted) {
  auto got = ask(request("a@none.example", "192.0.2.10", "m.1", "", "MAIL"));
  EXPECT_TRUE(got.starts_with("action=PREPEND Received-SPF: none ")) << got;
  EXPECT_EQ(store_.count("greylist:t:").value_or(99), 0u);
}

TEST_F(GreylistSession, TestOnlyNeverDefers) {
  decision::Options d;
  d.test_only = true;
  rebuild(std::move(d), {});
  auto got = ask(request("a@none.example", "192.0.2.10", "m.1", "r1@dest.example"));
  EXPECT_TRUE(got.starts_with("action=PREPEND Received-SPF: none ")) << got;
  EXPECT_EQ(store_.count("greylist:t:").value_or(99), 1u);
}

TEST_F(GreylistSession, SpfPassSkipAndSpfDomainKeying) {
  greylist::Options g;
  g.skip.spf_pass = true;
  rebuild({}, g);
  EXPECT_TRUE(ask(request("a@pass.example", "192.0.2.10", "m.1", "r1@dest.example"))
                  .starts_with("action=PREPEND Received-SPF: pass "));
  g = {};
  g.key.key_by_spf_domain = true;
  rebuild({}, g);
  EXPECT_TRUE(ask(request("a@pass.example", "192.0.2.10", "m.2", "r1@dest.example")).starts_with("action=DEFER_IF_PERMIT"));
  clock_.advance(300);
  // the provider retries from another network: same triplet (keyed by the SPF domain)
  EXPECT_TRUE(ask(request("a@pass.example", "203.0.113.5", "m.3", "r1@dest.example"))
                  .starts_with("action=PREPEND Received-SPF: pass "));
  EXPECT_TRUE(store_.get("greylist:t:spf:pass.example/a@pass.example/r1@dest.example").value_or(std::nullopt));
}

TEST_F(GreylistSession, ConfiguredDeferText) {
  service_.defer_text = "Come back in %s s please";
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.1", "r1@dest.example")),
            "action=DEFER_IF_PERMIT 4.7.1 Come back in 300 s please\n\n");
}

TEST_F(GreylistSession, NoHeaderWhenAddHeaderIsOff) {
  service_.add_header = false;
  ask(request("a@none.example", "192.0.2.10", "m.1", "r1@dest.example"));
  ask(request("a@none.example", "192.0.2.10", "m.1", "r2@dest.example"));
  clock_.advance(300);
  ask(request("a@none.example", "192.0.2.10", "m.2", "r1@dest.example"));
  EXPECT_EQ(ask(request("a@none.example", "192.0.2.10", "m.2", "r2@dest.example")), "action=DUNNO\n\n");
}

TEST(GreylistAnswer, DateAndReply) {
  EXPECT_EQ(greylist::rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(greylist::rfc5322_date(1798915653), "Sat, 02 Jan 2027 18:47:33 +0000");
  EXPECT_EQ(greylist::defer_reply("Greylisted, try again in %s seconds", 42),
            "4.7.1 Greylisted, try again in 42 seconds");
  EXPECT_EQ(greylist::defer_reply("Greylisted", 42), "4.7.1 Greylisted");
}

// One log line per request: SPF's verdict and greylisting's news together, with the action that
// was answered (not the SPF header the deferral replaced); a later recipient of the same message
// (SPF logged with the first) gets greylisting's line only.
TEST_F(GreylistSession, OneLogLinePerRequestWithTheActionAnswered) {
  std::vector<std::string> lines;
  log::capture([&](log::Level, std::string_view line) { lines.emplace_back(line); });
  ask(request("a@none.example", "192.0.2.10", "m.1", "r1@dest.example"));
  ask(request("a@none.example", "192.0.2.10", "m.1", "r2@dest.example"));
  log::capture({});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "NOQUEUE: SPF none; greylist defer, 300 s left (new); client=unknown[192.0.2.10] "
            "helo=<mx.client.example> from=<a@none.example> to=<r1@dest.example>: "
            "action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in 300 seconds");
  EXPECT_EQ(lines[1],
            "NOQUEUE: greylist defer, 300 s left (new); client=unknown[192.0.2.10] from=<a@none.example> "
            "to=<r2@dest.example>: action=DEFER_IF_PERMIT 4.7.1 Greylisted, try again in 300 seconds");
}

}  // namespace
}  // namespace postseal
