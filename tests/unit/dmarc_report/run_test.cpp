// run_test.cpp - one report run (run.hpp): files written under their RFC 9990 names, one mail
// per rua address through a fake sendmail, nothing sent twice (a second run, a claim held by
// another run), a failed sendmail retried by the next run, external destinations only with
// their _report._dmarc record (RFC 9990 3.4), unusable rua URIs ignored (destination.hpp).
#include "core/dmarc_report/run.hpp"
#include "core/dmarc_report/destination.hpp"
#include "core/dmarc_report/naming.hpp"
#include "core/dmarc_report/recorder.hpp"
#include "core/dns/memory_zone.hpp"
#include "tests/unit/dmarc_report/fixtures.hpp"

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
