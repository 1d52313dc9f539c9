// run_test.cpp - one report run (run.hpp): files written under their RFC 9990 names, one mail
// per rua address through a fake sendmail, nothing sent twice (a second run, a claim held by
// another run), a failed sendmail retried by the next run, external destinations only with
// their _report._dmarc record (RFC 9990 3.4), unusable rua URIs ignored (destination.hpp);
// report mail signed by the submitter's SignMail, a deferred signature retried; size limits
// (dmarc.report_max_bytes, the RFC 7489 "!size" suffix); suppressed addresses skipped.
#include "core/dmarc_report/run.hpp"
#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/naming.hpp"
#include "core/dmarc_report/recorder.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/dns/memory_zone.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace postseal::dmarc_report::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<state::MemoryStore>(clock_, 100000);
    fs::create_directories(dir_.path() / "outbox");
    fs::create_directories(dir_.path() / "files");
    sendmail_ = (dir_.path() / "sendmail").string();
    std::ofstream(sendmail_) << "#!/bin/sh\n"
                                "test -e "
                             << (dir_.path() / "fail").string()
                             << " && exit 75\n"
                                "out="
                             << (dir_.path() / "outbox").string()
                             << "/$(date +%s%N)\n"
                                "{ echo \"ARGS: $*\"; cat; } > \"$out\"\n";
    fs::permissions(sendmail_, fs::perms::owner_all);
    who_ =
        Submitter{"dmarc@receiver.example", "Receiver", "receiver.example", sendmail_, 1000, 1000};
    who_.envelope_from = who_.email;  // dmarc.report_bounce_address's default
  }
  // record - `n` messages for `p` at `at` (the day of kNow: the day reported).
  void record(const PolicyPublished& p, int n, const std::string& ip = "192.0.2.1",
              std::int64_t at = kNow) {
    FixedClock when(at);
    Recorder r(*store_, when, {});
    for (int i = 0; i < n; ++i) ASSERT_EQ(r.record(p, row(ip, p.domain)), Recorded::counted);
  }
  RunSummary run_once(bool send, bool dry_run = false, std::string out_dir = "") {
    RunOptions o{period_of(kNow), std::move(out_dir), send, dry_run};
    dmarc::Discovery discovery(zone_, dmarc::Mode::treewalk);
    return run(run_reports(*store_, clock_, zone_, discovery, who_, o,
                           [this](const std::string& l) { lines_ += l + "\n"; }));
  }
  std::vector<std::string> outbox() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path() / "outbox"))
      out.push_back(slurp(e.path()));
    return out;
  }
  void txt(const std::string& name, const std::string& text) {
    zone_.add(name, dns::Record{.type = dns::RrType::txt, .strings = {text}});
  }

  FixedClock clock_{kNow + kSecondsPerDay};  // the run happens the day after
  state::test::TempDir dir_;
  std::unique_ptr<state::Store> store_;
  dns::MemoryZone zone_;
  std::string sendmail_;
  Submitter who_;
  std::string lines_;
};

TEST_F(RunTest, WritesOneFilePerDomain) {
  record(policy("a.example"), 3);
  record(policy("b.example"), 1);
  auto s = run_once(false, false, (dir_.path() / "files").string());
  EXPECT_EQ(s.reports, 2);
  EXPECT_EQ(s.written, 2);
  const auto id = report_id("receiver.example", "a.example", period_of(kNow));
  EXPECT_TRUE(fs::exists(dir_.path() / "files" /
                         report_file_name("receiver.example", "a.example", period_of(kNow), id)))
      << lines_;
  EXPECT_TRUE(outbox().empty());
}

TEST_F(RunTest, SendsOncePerAddress) {
  record(policy("example.com"), 4);
  auto first = run_once(true);
  EXPECT_EQ(first.sent, 1) << lines_;
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);
  const auto& m = mails[0];
  EXPECT_EQ(m.rfind("ARGS: -i -f dmarc@receiver.example -- dmarc@example.com\n", 0), 0u) << m;
  EXPECT_NE(m.find("Subject: Report Domain: example.com Submitter: receiver.example Report-ID: "
                   "<2023-11-14.example.com@receiver.example>"),
            std::string::npos);
  EXPECT_NE(m.find("Content-Type: application/gzip; "
                   "name=\"receiver.example!example.com!1699920000!1700006399!"),
            std::string::npos);
  EXPECT_NE(m.find("Auto-Submitted: auto-generated"), std::string::npos);
  auto second = run_once(true);
  EXPECT_EQ(second.sent, 0);
  EXPECT_EQ(second.already_sent, 1);
  EXPECT_EQ(outbox().size(), 1u);
}

TEST_F(RunTest, FailedSendmailIsRetriedByTheNextRun) {
  record(policy("example.com"), 1);
  std::ofstream(dir_.path() / "fail") << "";
  auto first = run_once(true);
  EXPECT_EQ(first.failed, 1);
  EXPECT_NE(lines_.find("exited with status 75"), std::string::npos) << lines_;
  fs::remove(dir_.path() / "fail");
  auto second = run_once(true);
  EXPECT_EQ(second.sent, 1) << lines_;
}

TEST_F(RunTest, DryRunSendsAndMarksNothing) {
  record(policy("example.com"), 1);
  auto dry = run_once(true, true, (dir_.path() / "files").string());
  EXPECT_EQ(dry.written, 1);
  EXPECT_EQ(dry.sent, 0);
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(run_once(true).sent, 1);  // not marked by the dry run
}

TEST_F(RunTest, ExternalDestinationNeedsItsRecord) {
  auto p = policy("example.com");
  p.rua = {"mailto:agg@reports.example.net", "https://example.com/dmarc",
           "mailto:-oQ/tmp@example.com", "mailto:dmarc@example.com"};
  record(p, 2);
  auto refused = run_once(true);
  EXPECT_EQ(refused.sent, 1) << lines_;  // dmarc@example.com only
  EXPECT_EQ(refused.refused, 1);
  EXPECT_NE(lines_.find("agg@reports.example.net: not sent: not authorized"), std::string::npos)
      << lines_;
  txt("example.com._report._dmarc.reports.example.net", "v=DMARC1");
  auto allowed = run_once(true);
  EXPECT_EQ(allowed.sent, 1) << lines_;
  EXPECT_EQ(allowed.already_sent, 1);
  EXPECT_EQ(outbox().size(), 2u);
}

TEST_F(RunTest, OtherDaysAreNotReported) {
  record(policy("example.com"), 1);
  record(policy("example.com"), 1, "192.0.2.7", kNow + kSecondsPerDay);
  auto s = run_once(false, false, (dir_.path() / "files").string());
  EXPECT_EQ(s.reports, 1);
  EXPECT_NE(lines_.find("example.com: 1 records, 1 messages"), std::string::npos) << lines_;
}

TEST_F(RunTest, SignedMailGoesOutWithTheSignatureOnTop) {
  record(policy("example.com"), 1);
  std::string seen;
  who_.sign = [&seen](std::string_view message) {
    seen = std::string(message);
    return MailSignature{"DKIM-Signature: v=1; d=receiver.example; s=fake;\n\tb=x\n",
                         "DKIM-Signature added (d=receiver.example, s=fake)", false};
  };
  EXPECT_EQ(run_once(true).sent, 1) << lines_;
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);
  // the signer saw the whole message; sendmail got the fields, then that same message
  const std::string args = "ARGS: -i -f dmarc@receiver.example -- dmarc@example.com\n";
  EXPECT_EQ(mails[0], args + "DKIM-Signature: v=1; d=receiver.example; s=fake;\n\tb=x\n" + seen);
  EXPECT_TRUE(seen.starts_with("From: dmarc@receiver.example\n")) << seen;
  EXPECT_NE(lines_.find("dmarc@example.com: sent, DKIM-Signature added (d=receiver.example"),
            std::string::npos)
      << lines_;
}

TEST_F(RunTest, MailThatMustBeSignedButCannotIsSentByALaterRun) {
  record(policy("example.com"), 1);
  who_.sign = [](std::string_view) {
    return MailSignature{"", "deferred: signing for receiver.example failed: crypto failure", true};
  };
  auto first = run_once(true);
  EXPECT_EQ(first.sent, 0);
  EXPECT_EQ(first.failed, 1);
  EXPECT_TRUE(outbox().empty());
  EXPECT_NE(lines_.find("dmarc@example.com: not sent: deferred: signing"), std::string::npos)
      << lines_;
  who_.sign = nullptr;  // the claim was given back: the next run sends
  EXPECT_EQ(run_once(true).sent, 1) << lines_;
}

TEST_F(RunTest, ReportOverTheConfiguredMaximumIsNotSent) {
  for (int i = 0; i < 40; ++i) record(policy("example.com"), 1, fmt::format("192.0.2.{}", i + 1));
  who_.max_bytes = 2048;
  auto withheld = run_once(true);
  EXPECT_EQ(withheld.sent, 0);
  EXPECT_EQ(withheld.too_large, 1);
  EXPECT_EQ(withheld.failed, 0);  // not a temporary failure: exit 0
  EXPECT_TRUE(outbox().empty());
  EXPECT_NE(lines_.find("dmarc@example.com: not sent: report mail of "), std::string::npos)
      << lines_;
  EXPECT_NE(lines_.find("octets is over dmarc.report_max_bytes of 2048 octets"),
            std::string::npos)
      << lines_;
  who_.max_bytes = dmarc::kDefaultReportMaxBytes;  // nothing was marked sent
  EXPECT_EQ(run_once(true).sent, 1) << lines_;
}

TEST_F(RunTest, AddressSizeLimitIsHonouredPerAddress) {
  auto p = policy("example.com");
  p.rua = {"mailto:small@example.com!2k", "mailto:big@example.com!10m",
           "mailto:dmarc@example.com"};
  for (int i = 0; i < 40; ++i) record(p, 1, fmt::format("192.0.2.{}", i + 1));
  auto s = run_once(true);
  EXPECT_EQ(s.sent, 2) << lines_;
  EXPECT_EQ(s.too_large, 1);
  EXPECT_NE(lines_.find("small@example.com: not sent: report mail of "), std::string::npos)
      << lines_;
  EXPECT_NE(lines_.find("is over the address's !size limit of 2048 octets"), std::string::npos)
      << lines_;
  for (const auto& m : outbox()) EXPECT_EQ(m.find("small@example.com"), std::string::npos);
}

// size_limit_problem - the one size rule of aggregate and failure reports: octets as in SMTP
// (each LF one CRLF), at the limit is within, the smaller of ours and the address's wins,
// ours = 0 is no limit of ours (failure reports have only the address's).
TEST(MailtoAddress, SizeLimitProblem) {
  const std::string mail = "a\nbc\n";  // 7 octets in SMTP
  auto to = [](std::optional<std::uint64_t> max) {
    return MailtoAddress{"r@example.com", "example.com", max};
  };
  struct Case {
    std::optional<std::uint64_t> theirs;
    std::uint64_t ours;
    std::optional<std::string> want;
  } cases[] = {
      {std::nullopt, 0, std::nullopt},
      {7, 0, std::nullopt},
      {6, 0, "report mail of 7 octets is over the address's !size limit of 6 octets"},
      {std::nullopt, 7, std::nullopt},
      {std::nullopt, 6, "report mail of 7 octets is over ours of 6 octets"},
      {6, 5, "report mail of 7 octets is over ours of 5 octets"},
      {5, 6, "report mail of 7 octets is over the address's !size limit of 5 octets"},
      {100, 6, "report mail of 7 octets is over ours of 6 octets"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(size_limit_problem(to(c.theirs), mail, c.ours, "ours"), c.want)
        << c.theirs.value_or(0) << " " << c.ours;
}

TEST(MailtoAddress, SizeSuffixOfRfc7489) {
  struct Case {
    std::string text;
    std::optional<std::uint64_t> want;
  } cases[] = {
      {"500", 500},
      {"20k", 20480},
      {"10m", 10485760},
      {"10M", 10485760},
      {"1g", 1073741824},
      {"2t", 2199023255552},
      {"18446744073709551615", UINT64_MAX},
      {"18446744073709551616", std::nullopt},  // RFC 7489 6.4: must fit in 64 bits
      {"99999999999999999t", UINT64_MAX},      // fits, but not in octets: no limit
      {"", std::nullopt},
      {"m", std::nullopt},
      {"10x", std::nullopt},
      {"-1", std::nullopt},
      {"1 m", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_size_limit(c.text), c.want) << c.text;
  auto a = mailto_address("mailto:dmarc@example.com!10m");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->max_bytes, 10485760u);
  EXPECT_FALSE(mailto_address("mailto:dmarc@example.com")->max_bytes);
  EXPECT_FALSE(mailto_address("mailto:dmarc@example.com!bad"));
}

TEST_F(RunTest, SuppressedAddressGetsNothingUntilLifted) {
  auto p = policy("example.com");
  p.rua = {"mailto:dmarc@example.com", "mailto:other@example.com"};
  record(p, 2);
  ASSERT_TRUE(suppress(*store_, "DMARC@example.com", 30));  // case-insensitive
  auto first = run_once(true);
  EXPECT_EQ(first.sent, 1) << lines_;
  EXPECT_EQ(first.suppressed, 1);
  EXPECT_EQ(first.failed, 0);
  EXPECT_NE(lines_.find("dmarc@example.com: not sent: suppressed (postseal dmarc suppress "
                        "--remove dmarc@example.com ends it)"),
            std::string::npos)
      << lines_;
  for (const auto& m : outbox()) EXPECT_EQ(m.find("-- dmarc@example.com\n"), std::string::npos);
  ASSERT_TRUE(lift(*store_, "dmarc@example.com").value());
  EXPECT_FALSE(lift(*store_, "dmarc@example.com").value());  // nothing left to lift
  auto second = run_once(true);
  EXPECT_EQ(second.sent, 1) << lines_;  // dmarc@ now; other@ was sent by the first run
  EXPECT_EQ(second.already_sent, 1);
}

// dmarc.report_bounce_address: the envelope sender of every hand-off (where bounces go), the
// From: stays report_email; each address handed a report is noted for the bounce handling.
TEST_F(RunTest, EnvelopeSenderIsTheBounceAddressAndHandOffsAreNoted) {
  auto p = policy("example.com");
  p.rua = {"mailto:dmarc@example.com", "mailto:gone@example.com"};
  record(p, 1);
  who_.envelope_from = "dmarc-bounces@receiver.example";
  EXPECT_EQ(*sent_recently(*store_, "dmarc@example.com"), std::nullopt);
  ASSERT_TRUE(suppress(*store_, "gone@example.com", 30));
  EXPECT_EQ(run_once(true).sent, 1) << lines_;
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].rfind("ARGS: -i -f dmarc-bounces@receiver.example -- dmarc@example.com\n", 0),
            0u)
      << mails[0];
  EXPECT_NE(mails[0].find("From: dmarc@receiver.example"), std::string::npos) << mails[0];
  EXPECT_EQ(*sent_recently(*store_, "dmarc@example.com"),
            "aggregate report of 2023-11-14 for example.com");
  EXPECT_EQ(*sent_recently(*store_, "gone@example.com"), std::nullopt);  // suppressed: not sent
}

TEST_F(RunTest, AFailedHandOffIsNotNoted) {
  record(policy("example.com"), 1);
  std::ofstream(dir_.path() / "fail") << "";
  EXPECT_EQ(run_once(true).failed, 1);
  EXPECT_EQ(*sent_recently(*store_, "dmarc@example.com"), std::nullopt);
}

TEST(MailtoAddress, OnlySafeMailtoUris) {
  struct Case {
    std::string uri, want;
  } cases[] = {
      {"mailto:dmarc@example.com", "dmarc@example.com"},
      {"MAILTO:Dmarc@Example.COM", "Dmarc@example.com"},
      {"mailto:dmarc@example.com!10m", "dmarc@example.com"},
      {"mailto:-oQ/tmp/x@example.com", ""},
      {"mailto:a b@example.com", ""},
      {"mailto:a@b@example.com", ""},
      {"mailto:@example.com", ""},
      {"mailto:dmarc@", ""},
      {"mailto:dmarc@exa mple.com", ""},
      {"https://example.com/", ""},
      {"mailto:\"x\"@example.com", ""},
  };
  for (const auto& c : cases) {
    auto got = mailto_address(c.uri);
    EXPECT_EQ(got ? got->address : "", c.want) << c.uri;
  }
}

}  // namespace
}  // namespace postseal::dmarc_report::test
