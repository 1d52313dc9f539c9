// milter_greylist_test.cpp - greylisting in the milter at RCPT (verifier/milter/rcpt_greylist.hpp)
// on a MemoryStore and a FixedClock: the answer for each outcome (450 4.7.1 with the configured
// text, test_only, X-Greylist once per message, fail open), a transaction whose recipients
// decide on their own, the skip rules the policy path has (SASL login, SPF pass), and the wait
// for the check on the io_context holding to its limit.
#include "verifier/milter/rcpt_greylist.hpp"

#include "core/state/memory_store.hpp"
#include "verifier/greylist/front_end.hpp"

#include <gtest/gtest.h>
#include <asio/executor_work_guard.hpp>

#include <thread>

namespace postseal::milter {
namespace {

constexpr std::int64_t kStart = 1700000000;

// request - a transaction from 192.0.2.10 (not localhost: greylisted) to `recipient`.
greylist::Request request(std::string_view recipient, std::string_view login = "",
                          std::string_view spf_pass_domain = "") {
  return {asio::ip::make_address("192.0.2.10"),
          "mail.client.example",
          "a@sender.example",
          recipient,
          login,
          spf_pass_domain};
}

greylist::Outcome outcome(greylist::Action action, std::int64_t seconds, bool first_pass = false) {
  greylist::Outcome o;
  o.action = action;
  o.seconds = seconds;
  o.first_pass = first_pass;
  return o;
}

TEST(MilterGreylist, AnswerForEachOutcome) {
  greylist::Service service;
  service.defer_text = "Greylisted for %s seconds, see https://mx.example.org/greylisting";
  struct Case {
    const char* name;
    greylist::Outcome got;
    bool test_only, header_planned, add_header;
    bool want_tempfail;
    std::string want_reply;
    bool want_header;
  };
  using A = greylist::Action;
  const Case cases[] = {
      {"new triplet", outcome(A::defer, 300), false, false, true, true,
       "450 4.7.1 Greylisted for 300 seconds, see https://mx.example.org/greylisting", false},
      {"test_only logs only", outcome(A::defer, 300), true, false, true, false, "", false},
      {"first pass", outcome(A::pass, 310, true), false, false, true, false, "", true},
      {"first pass, header planned", outcome(A::pass, 310, true), false, true, true, false, "",
       false},
      {"first pass, add_header off", outcome(A::pass, 310, true), false, false, false, false, "",
       false},
      {"later pass", outcome(A::pass, 0), false, false, true, false, "", false},
      {"skip", outcome(A::skip, 0), false, false, true, false, "", false},
      {"store error: fail open", outcome(A::store_error, 0), false, false, true, false, "", false},
  };
  for (const auto& c : cases) {
    service.add_header = c.add_header;
    auto r = rcpt_greylist(c.got, service, c.test_only, c.header_planned);
    EXPECT_EQ(r.tempfail, c.want_tempfail) << c.name;
    EXPECT_EQ(r.reply, c.want_reply) << c.name;
    EXPECT_EQ(r.add_header, c.want_header) << c.name;
    EXPECT_FALSE(r.answer.empty()) << c.name;
  }
}

class MilterGreylistTransaction : public ::testing::Test {
 protected:
  MilterGreylistTransaction() : clock_(kStart), store_(clock_, 1000) {
    greylist::Options options;
    options.auto_whitelist_clients = 0;
    service_.greylister = std::make_unique<greylist::Greylister>(store_, clock_, options);
    service_.host = "mx.example.org";
  }

  // rcpt - one recipient of a transaction from 192.0.2.10, as the milter asks.
  RcptGreylist rcpt(std::string_view recipient, bool header_planned = false,
                    std::string_view login = "", std::string_view spf_pass_domain = "") {
    auto r = request(recipient, login, spf_pass_domain);
    return rcpt_greylist(service_.greylister->check(r), service_, false, header_planned);
  }

  FixedClock clock_;
  state::MemoryStore store_;
  greylist::Service service_;
};

TEST_F(MilterGreylistTransaction, EachRecipientDecidesOnItsOwn) {
  EXPECT_EQ(rcpt("r1@dest.example").reply, "450 4.7.1 Greylisted, try again in 300 seconds");
  clock_.advance(301);
  // the retry: r1 passes and carries the header; r2, new in this transaction, is deferred
  auto first = rcpt("r1@dest.example");
  EXPECT_FALSE(first.tempfail);
  EXPECT_TRUE(first.add_header);
  EXPECT_EQ(rcpt("r2@dest.example").reply, "450 4.7.1 Greylisted, try again in 300 seconds");
  clock_.advance(300);
  // the next retry: r1 passed before (no header), r2 passes for the first time (header, once)
  auto again = rcpt("r1@dest.example");
  EXPECT_FALSE(again.tempfail);
  EXPECT_FALSE(again.add_header);
  auto second = rcpt("r2@dest.example");
  EXPECT_FALSE(second.tempfail);
  EXPECT_TRUE(second.add_header);
  EXPECT_FALSE(rcpt("r2@dest.example", true).add_header);
}

TEST_F(MilterGreylistTransaction, SkipRulesOfThePolicyPath) {
  EXPECT_FALSE(rcpt("r@dest.example", false, "alice@example.net").tempfail)
      << "SASL login ({auth_authen})";
  EXPECT_TRUE(rcpt("r@dest.example").tempfail) << "the same triplet without a login";
  greylist::Options options;
  options.skip.spf_pass = true;
  service_.greylister = std::make_unique<greylist::Greylister>(store_, clock_, options);
  EXPECT_FALSE(rcpt("s@dest.example", false, "", "sender.example").tempfail)
      << "SPF pass, skip_spf_pass";
}

TEST(MilterGreylist, SpfPassDomainOnlyForAMailFromPass) {
  decision::Decision d;
  EXPECT_EQ(greylist::spf_pass_domain(d, "a@sender.example"), "");
  d.mail_from.checked = true;
  d.mail_from.outcome.result = spf::SpfResult::softfail;
  EXPECT_EQ(greylist::spf_pass_domain(d, "a@sender.example"), "");
  d.mail_from.outcome.result = spf::SpfResult::pass;
  EXPECT_EQ(greylist::spf_pass_domain(d, "a@sender.example"), "sender.example");
  EXPECT_EQ(greylist::spf_pass_domain(d, ""), "");
}

TEST(MilterGreylist, CheckWithinAnswersFromTheIoContext) {
  FixedClock clock(kStart);
  state::MemoryStore store(clock, 1000);
  greylist::Greylister greylister(store, clock, {});
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  auto got = check_within(io, greylister, request("r@dest.example"), std::chrono::seconds(10));
  work.reset();
  runner.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->action, greylist::Action::defer);
  EXPECT_EQ(got->seconds, greylist::kDefaultDelay);
}

TEST(MilterGreylist, CheckWithinFailsOpenPastItsLimit) {
  // an io_context nobody runs: the check never answers, the wait ends at the limit and the
  // check, still queued, is dropped (the store sees nothing when the io_context runs later)
  FixedClock clock(kStart);
  state::MemoryStore store(clock, 1000);
  greylist::Greylister greylister(store, clock, {});
  asio::io_context io;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(
      check_within(io, greylister, request("r@dest.example"), std::chrono::milliseconds(20)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  io.run();
  EXPECT_EQ(greylister.stats().checks.load(), 0u);
}

}  // namespace
}  // namespace postseal::milter
