// dmarc_failure_test.cpp - DMARC failure reports in the inbound front ends
// (verifier/dmarc_failure.hpp, verifier/failure_sender.hpp): which messages give jobs (fo,
// ruf, loop control, temperror), and the background sender: sent through the injected
// sendmail, the second report within the hour rate-limited, an external destination without
// its _report._dmarc record refused, a full queue dropping without blocking, a hanging
// sendmail never blocking submit(); the report DKIM-signed with the [[signer.domain]] key of
// report_email's domain (signer/filter/own_mail.hpp, as aggregate reports are) and the
// signature verified by our own verifier against the key record in a zone fake.
#include "verifier/failure_sender.hpp"

#include "../run_awaitable.hpp"
#include "core/dkim/message_verifier.hpp"
#include "core/dmarc_report/redaction_key.hpp"
#include "core/dmarc_report/sendmail.hpp"
#include "core/dmarc_report/sent_recently.hpp"
#include "core/dmarc_report/suppression.hpp"
#include "core/dns/memory_zone.hpp"
#include "core/domainkeys/dk_config.hpp"
#include "core/state/memory_store.hpp"
#include "core/util/clock.hpp"
#include "core/util/config.hpp"
#include "core/util/log.hpp"
#include "signer/commands.hpp"
#include "signer/filter/own_mail.hpp"
#include "tests/unit/state/test_backends.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

namespace postseal::verifier {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

MessageReport spoof(std::vector<std::string> ruf = {"mailto:ruf@example.com"}, std::string fo = "0") {
  MessageReport r;
  r.client_ip = "192.0.2.9";
  r.sender = "spoof@evil.test";
  r.decided = true;
  r.decision.mail_from.checked = true;
  r.decision.mail_from.outcome.result = spf::SpfResult::pass;
  dmarc::AuthorVerdict a;
  a.domain = "example.com";
  a.result = dmarc::Result::fail;
  a.discovery.status = dmarc::Status::found;
  a.discovery.policy_domain = "example.com";
  std::string text = "v=DMARC1; p=reject; fo=" + fo;
  for (std::size_t i = 0; i < ruf.size(); ++i) text += (i == 0 ? "; ruf=" : ",") + ruf[i];
  auto record = dmarc::parse_record(text);
  a.discovery.record = *record;
  dmarc::Verdict v;
  v.result = dmarc::Result::fail;
  v.header_from = "example.com";
  v.action = dmarc::Action::reject;
  v.authors = {a};
  r.dmarc = v;
  return r;
}

std::vector<mail::HeaderField> headers(std::vector<std::string> extra = {}) {
  std::vector<mail::HeaderField> h{{"From: ceo@example.com"}, {"To: alice@example.net"}, {"Subject: pay"}};
  for (auto& e : extra) h.push_back({std::move(e)});
  return h;
}

FailedMessage message(const MessageReport& r, const std::vector<mail::HeaderField>& h) {
  FailedMessage m;
  m.report = &r;
  m.headers = &h;
  m.recipients = {"alice@example.net"};
  m.queue_id = "4F1A2B3C4D";
  m.authserv_id = "mx.example.net";
  m.arrival = kNow;
  return m;
}

TEST(FailureJobs, SpoofWithRufGivesOneJob) {
  auto r = spoof();
  auto h = headers();
  auto jobs = failure_jobs(message(r, h));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].destinations.size(), 1u);
  EXPECT_EQ(jobs[0].destinations[0].address, "ruf@example.com");
  EXPECT_EQ(jobs[0].report.reported_domain, "example.com");
  EXPECT_EQ(jobs[0].report.source_ip, "192.0.2.9");
  EXPECT_EQ(jobs[0].report.delivery_result, "reject");
  EXPECT_NE(jobs[0].report.headers.find("Subject: pay\r\n"), std::string::npos);
  EXPECT_NE(jobs[0].report.authentication_results.find("dmarc=fail"), std::string::npos);
}

TEST(FailureJobs, NothingWithoutRufOrWhenFoDoesNotAsk) {
  auto h = headers();
  auto no_ruf = spoof({});
  EXPECT_TRUE(failure_jobs(message(no_ruf, h)).empty());
  auto not_mailto = spoof({"https://example.com/ruf"});
  EXPECT_TRUE(failure_jobs(message(not_mailto, h)).empty());
  auto fo_d = spoof({"mailto:ruf@example.com"}, "d");  // no DKIM signature failed
  EXPECT_TRUE(failure_jobs(message(fo_d, h)).empty());
  auto temp = spoof();
  temp.dmarc->authors[0].result = dmarc::Result::temperror;
  EXPECT_TRUE(failure_jobs(message(temp, h)).empty());
}

TEST(FailureJobs, NoReportAboutReports) {
  auto r = spoof();
  for (std::string extra : {"Content-Type: multipart/report; report-type=feedback-report; boundary=x",
                            "Auto-Submitted: auto-generated"}) {
    auto h = headers({extra});
    EXPECT_TRUE(failure_jobs(message(r, h)).empty()) << extra;
  }
}

// signed_spoof - spoof() with fo=`fo`, the SPF result `spf`, and two signatures: one that
// passed (d=evil.test, unaligned) and one that failed at `failure` (d=example.com).
MessageReport signed_spoof(std::string fo, spf::SpfResult spf_result, dkim::Result dkim_result,
                           dkim::Failure failure) {
  auto r = spoof({"mailto:ruf@example.com"}, std::move(fo));
  r.decision.mail_from.outcome.result = spf_result;
  dkim::SignatureResult good{dkim::Result::pass, "", "evil.test", "s1", "rsa-sha256", "", ""};
  dkim::SignatureResult bad{dkim_result, "why", "example.com", "sel", "rsa-sha256", "", "@example.com"};
  bad.failure = failure;
  r.dkim = {good, bad};
  return r;
}

std::string type_names(const FailureJob& job) {
  std::string out;
  for (auto t : job.types) out += std::string(out.empty() ? "" : ",") + std::string(dmarc_report::to_string(t));
  return out;
}

// fo=d:s, fo=1:d:s: the report types of one job, from the message's results.
TEST(FailureJobs, FoDAndSGiveDkimAndSpfReports) {
  auto h = headers();
  using dkim::Failure;
  using spf::SpfResult;
  struct Case {
    std::string fo;
    SpfResult spf;
    dkim::Result dkim;
    Failure failure;
    std::string want;  // "" for no job
  } cases[] = {
      {"d:s", SpfResult::fail, dkim::Result::fail, Failure::body_hash, "bodyhash,spf"},
      {"d:s", SpfResult::softfail, dkim::Result::permerror, Failure::key_revoked, "revoked,spf"},
      {"d:s", SpfResult::permerror, dkim::Result::fail, Failure::signature, "signature,spf"},
      {"d:s", SpfResult::pass, dkim::Result::fail, Failure::none, "signature"},  // expired
      {"d:s", SpfResult::neutral, dkim::Result::temperror, Failure::none, ""},
      {"s", SpfResult::temperror, dkim::Result::fail, Failure::body_hash, ""},
      {"d", SpfResult::fail, dkim::Result::pass, Failure::none, ""},
      {"1:d:s", SpfResult::fail, dkim::Result::fail, Failure::body_hash, "dmarc,bodyhash,spf"},
      {"0", SpfResult::fail, dkim::Result::fail, Failure::body_hash, "dmarc"},
  };
  for (const auto& c : cases) {
    auto r = signed_spoof(c.fo, c.spf, c.dkim, c.failure);
    auto jobs = failure_jobs(message(r, h));
    ASSERT_EQ(jobs.size(), c.want.empty() ? 0u : 1u) << "fo=" << c.fo << " want " << c.want;
    if (!jobs.empty()) {
      EXPECT_EQ(type_names(jobs[0]), c.want) << "fo=" << c.fo;
    }
  }
  auto r = signed_spoof("d", SpfResult::fail, dkim::Result::fail, Failure::body_hash);
  auto jobs = failure_jobs(message(r, h));
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs[0].report.dkim.size(), 2u);
  EXPECT_EQ(jobs[0].report.dkim[1].failure, dmarc_report::AuthFailure::bodyhash);
  EXPECT_EQ(jobs[0].report.dkim[1].i, "@example.com");
  EXPECT_FALSE(jobs[0].report.dkim[0].failure);
}

// ZoneRef - a resolver answering from a shared MemoryZone.
class ZoneRef final : public dns::Resolver {
 public:
  explicit ZoneRef(dns::MemoryZone& zone) : zone_(zone) {}
  asio::awaitable<dns::Answer> lookup(std::string name, dns::RrType type) override {
    co_return zone_.answer(name, type);
  }

 private:
  dns::MemoryZone& zone_;
};

struct Sent {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> mails;  // to, message
  std::string envelope_from;                                // of the last one
};

class FailureSenderTest : public ::testing::Test {
 protected:
  std::unique_ptr<FailureSender> make(std::int64_t rate, std::int64_t queue,
                                      std::function<void()> in_sendmail = nullptr) {
    FailureSenderConfig c;
    c.settings.enable = true;
    c.settings.rate = rate;
    c.settings.global_rate = 100;
    c.settings.queue = queue;
    c.report_email = "dmarc-reports@example.net";
    c.user_agent = "postseal/test";
    auto check = std::make_shared<DmarcCheck>();
    c.check = check;
    c.envelope_from = "dmarc-bounces@example.net";
    c.open_store = [path = store_path_](const Clock& clock) -> std::unique_ptr<state::Store> {
      if (path.empty()) return std::make_unique<state::MemoryStore>(clock, 1000);
      return std::make_unique<state::SqliteStore>(path, clock, 1000, 200);
    };
    c.make_resolver = [this](asio::io_context&) { return std::make_unique<ZoneRef>(zone_); };
    c.send = [this, in_sendmail](const std::string& from, const std::string& to,
                                 std::string_view text) -> std::expected<void, std::string> {
      if (in_sendmail) in_sendmail();
      std::lock_guard lock(sent_.mutex);
      sent_.mails.emplace_back(to, std::string(text));
      sent_.envelope_from = from;
      return {};
    };
    if (send_) c.send = send_;
    c.redaction_secret = [this] { return redaction_secret_; };
    c.sign = sign_;
    auto sender = std::make_unique<FailureSender>(std::move(c));
    sender->start(clock_);
    return sender;
  }

  FailureJob job(std::vector<std::string> ruf = {"mailto:ruf@example.com"}) {
    auto r = spoof(std::move(ruf));
    auto h = headers();
    auto jobs = failure_jobs(message(r, h));
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.at(0);
  }

  FixedClock clock_{kNow};
  dns::MemoryZone zone_;
  Sent sent_;
  dmarc_report::SignMail sign_;
  std::string redaction_secret_ = "k";
  std::string store_path_;  // when set: the sender's store is SQLite there (else memory)
  decltype(FailureSenderConfig::send) send_;  // when set: instead of recording in sent_
};

TEST_F(FailureSenderTest, SentThenRateLimited) {
  auto sender = make(1, 10);
  EXPECT_TRUE(sender->submit(job()));
  EXPECT_TRUE(sender->submit(job()));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 1u);
  EXPECT_EQ(sent_.mails[0].first, "ruf@example.com");
  EXPECT_NE(sent_.mails[0].second.find("Feedback-Type: auth-failure"), std::string::npos);
  EXPECT_EQ(sender->stats().sent.load(), 1u);
  EXPECT_EQ(sender->stats().rate_limited.load(), 1u);
  clock_.advance(dmarc_report::kWindowSeconds);
  EXPECT_TRUE(sender->submit(job()));
  sender->drain();
  EXPECT_EQ(sent_.mails.size(), 2u);
}

// fo=1:d:s: one message, three report messages to the address, each with its Auth-Failure;
// the rate limit counts each of them alike (rate 2: the third, spf, is not sent).
TEST_F(FailureSenderTest, EveryTypeSentAndRateLimitedAlike) {
  auto h = headers();
  auto r = signed_spoof("1:d:s", spf::SpfResult::fail, dkim::Result::fail, dkim::Failure::body_hash);
  auto jobs = failure_jobs(message(r, h));
  ASSERT_EQ(jobs.size(), 1u);
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(jobs[0]));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 3u);
  const char* want[] = {"Auth-Failure: dmarc\n", "Auth-Failure: bodyhash\n", "Auth-Failure: spf\n"};
  for (std::size_t n = 0; n < 3; ++n) {
    EXPECT_EQ(sent_.mails[n].first, "ruf@example.com");
    EXPECT_NE(sent_.mails[n].second.find(want[n]), std::string::npos) << want[n];
  }
  EXPECT_NE(sent_.mails[1].second.find("DKIM-Selector: sel\n"), std::string::npos);
  EXPECT_EQ(sent_.mails[2].second.find("DKIM-Domain:"), std::string::npos);
  EXPECT_EQ(sender->stats().sent.load(), 3u);

  sent_.mails.clear();
  auto limited = make(2, 10);
  EXPECT_TRUE(limited->submit(jobs[0]));
  limited->drain();
  ASSERT_EQ(sent_.mails.size(), 2u);
  EXPECT_NE(sent_.mails[1].second.find("Auth-Failure: bodyhash\n"), std::string::npos);
  EXPECT_EQ(limited->stats().sent.load(), 2u);
  EXPECT_EQ(limited->stats().rate_limited.load(), 1u);
}

// A suppressed ruf address (a bounce, or `postseal dmarc suppress`) gets nothing: the aggregate
// run's rule (is_suppressed), in the store the sender counts in. A report handed over goes
// from dmarc.report_bounce_address and is noted, so that its bounce may suppress the address.
TEST_F(FailureSenderTest, SuppressedAddressGetsNothingAndHandOffsAreNoted) {
  state::test::TempDir dir;
  store_path_ = (dir.path() / "state.db").string();
  state::SqliteStore store(store_path_, clock_, 1000, 200);
  ASSERT_TRUE(dmarc_report::suppress(store, "gone@example.com", 30));
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(job({"mailto:gone@example.com", "mailto:ruf@example.com"})));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 1u);
  EXPECT_EQ(sent_.mails[0].first, "ruf@example.com");
  EXPECT_EQ(sent_.envelope_from, "dmarc-bounces@example.net");
  EXPECT_NE(sent_.mails[0].second.find("From: dmarc-reports@example.net"), std::string::npos);
  EXPECT_EQ(sender->stats().suppressed.load(), 1u);
  EXPECT_EQ(*dmarc_report::sent_recently(store, "ruf@example.com"),
            "failure report of 2023-11-14 for example.com");
  EXPECT_EQ(*dmarc_report::sent_recently(store, "gone@example.com"), std::nullopt);
  ASSERT_TRUE(dmarc_report::lift(store, "gone@example.com"));
  EXPECT_TRUE(sender->submit(job({"mailto:gone@example.com"})));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 2u);
  EXPECT_EQ(sent_.mails[1].first, "gone@example.com");
  sender->stop();
}

TEST_F(FailureSenderTest, ExternalDestinationNeedsItsReportRecord) {
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(job({"mailto:ruf@reports.example.org"})));
  sender->drain();
  EXPECT_TRUE(sent_.mails.empty());
  EXPECT_EQ(sender->stats().refused.load(), 1u);
  zone_.add("example.com._report._dmarc.reports.example.org",
            dns::Record{.type = dns::RrType::txt, .strings = {"v=DMARC1"}});
  EXPECT_TRUE(sender->submit(job({"mailto:ruf@reports.example.org"})));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 1u);
  EXPECT_EQ(sent_.mails[0].first, "ruf@reports.example.org");
}

TEST_F(FailureSenderTest, FullQueueDropsWithoutBlocking) {
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  std::once_flag once;
  auto sender = make(100, 1, [&] {
    std::call_once(once, [&] { entered.set_value(); });
    released.wait();
  });
  EXPECT_TRUE(sender->submit(job()));
  entered.get_future().wait();          // the thread is inside a hanging sendmail
  EXPECT_TRUE(sender->submit(job()));   // queued (1 of 1)
  EXPECT_FALSE(sender->submit(job()));  // full: dropped at once
  EXPECT_FALSE(sender->submit(job()));
  EXPECT_EQ(sender->stats().dropped.load(), 2u);
  release.set_value();
  sender->drain();
  EXPECT_EQ(sent_.mails.size(), 2u);
}

// KeyFile - tests/data's RSA-1024 test key copied 0600 (the key loader refuses a key others
// can read) into a directory removed at the end.
struct KeyFile {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("failure-sign-{}", ::getpid());
  std::filesystem::path path = dir / "rep.pem";
  KeyFile() {
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(std::string(POSTSEAL_TEST_DATA) + "/domainkeys/rsa1024.pem", path,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  ~KeyFile() { std::filesystem::remove_all(dir); }
};

// signing_config - a config file with one [[signer.domain]] row for `domain`, key `key`.
config::File signing_config(std::string_view domain, const KeyFile& key) {
  config::declare(signer::filter_config_keys());
  config::declare(domainkeys::config_keys());  // build_signing_table reads them
  return config::File::parse(fmt::format("[[signer.domain]]\nname = \"{}\"\nkeys = [\"rep:{}\"]\n",
                                         domain, key.path.string()),
                             "test.toml");
}

// dkim_results - our verifier's results for `message` (LF line ends, as sendmail gets it).
std::vector<dkim::SignatureResult> dkim_results(std::string_view message, dns::Resolver& resolver,
                                                const Clock& clock) {
  std::string crlf;
  for (char c : message) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const auto end = crlf.find("\r\n\r\n");
  auto fields = mail::parse_header_block(std::string_view(crlf).substr(0, end + 2));
  EXPECT_TRUE(fields.has_value());
  dkim::KeyCache cache;
  dkim::MessageVerifier verifier(dkim::VerifyOptions{.key_cache = &cache}, clock);
  verifier.headers(*fields);
  verifier.body(std::string_view(crlf).substr(end + 4));
  return test::run(verifier.finish(resolver));
}

TEST_F(FailureSenderTest, ReportSignedWithTheReportingDomainsKey) {
  KeyFile key;
  auto file = signing_config("example.net", key);
  sign_ = signer::report_mail_signer(file, "example.net", clock_);
  ASSERT_TRUE(sign_);
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(job()));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 1u);
  const std::string& text = sent_.mails[0].second;
  EXPECT_TRUE(text.starts_with("DKIM-Signature: v=1; a=rsa-sha256;")) << text.substr(0, 200);

  std::ifstream pub(std::string(POSTSEAL_TEST_DATA) + "/domainkeys/rsa1024.pub.b64");
  std::string p;
  pub >> p;
  zone_.add("rep._domainkey.example.net",
            dns::Record{.type = dns::RrType::txt, .strings = {"v=DKIM1; k=rsa; p=" + p}});
  ZoneRef resolver(zone_);
  auto results = dkim_results(text, resolver, clock_);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result, dkim::Result::pass) << results[0].reason;
  EXPECT_EQ(results[0].d, "example.net");
  EXPECT_EQ(results[0].s, "rep");
  std::string changed = text;  // the signature covers the report: a changed line fails
  changed.replace(changed.find("Auth-Failure: dmarc"), 19, "Auth-Failure: spf  ");
  EXPECT_EQ(dkim_results(changed, resolver, clock_).at(0).result, dkim::Result::fail);
}

TEST_F(FailureSenderTest, NoKeyForTheReportingDomainSendsUnsigned) {
  KeyFile key;
  auto file = signing_config("other.example", key);
  sign_ = signer::report_mail_signer(file, "example.net", clock_);
  EXPECT_FALSE(sign_);
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(job()));
  sender->drain();
  ASSERT_EQ(sent_.mails.size(), 1u);
  EXPECT_TRUE(sent_.mails[0].second.starts_with("From: dmarc-reports@example.net\n"));
  EXPECT_EQ(sender->stats().sent.load(), 1u);
}

// HangingSendmail - a fake sendmail that says it started, reads the report and hangs; the
// sender runs it through the real hand-off with a 300 ms limit.
class HangingSendmail : public FailureSenderTest {
 protected:
  static constexpr auto kLimit = std::chrono::milliseconds(300);
  void SetUp() override {
    std::ofstream(program_) << "#!/bin/sh\necho started > " << started_.string()
                            << "\ncat > /dev/null\nexec sleep 30\n";
    std::filesystem::permissions(program_, std::filesystem::perms::owner_all);
    send_ = [this](const std::string& from, const std::string& to, std::string_view message) {
      return dmarc_report::send_mail(program_.string(), from, to, message, kLimit);
    };
    log::capture([this](log::Level, std::string_view line) {
      std::lock_guard lock(lines_mutex_);
      lines_ += std::string(line) + "\n";
    });
  }
  void TearDown() override { log::capture({}); }
  std::string lines() {
    std::lock_guard lock(lines_mutex_);
    return lines_;
  }
  // wait_started - until the fake sendmail runs (at most 10 s).
  bool wait_started() {
    for (int i = 0; i < 1000 && !std::filesystem::exists(started_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return std::filesystem::exists(started_);
  }

  state::test::TempDir dir_;
  std::filesystem::path program_ = dir_.path() / "sendmail";
  std::filesystem::path started_ = dir_.path() / "started";
  std::mutex lines_mutex_;
  std::string lines_;
};

TEST_F(HangingSendmail, KilledCountedAsFailedAndLoggedWithTheAddress) {
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(job()));
  sender->drain();
  EXPECT_EQ(sender->stats().failed.load(), 1u);
  EXPECT_EQ(sender->stats().sent.load(), 0u);
  EXPECT_NE(lines().find("4F1A2B3C4D: dmarc: failure report for example.com not sent to "
                         "ruf@example.com: " +
                         program_.string() + " timed out after 0.3 s: killed"),
            std::string::npos)
      << lines();
}

TEST_F(HangingSendmail, StopWaitsNoLongerThanTheLimit) {
  auto sender = make(10, 10);
  EXPECT_TRUE(sender->submit(job()));
  ASSERT_TRUE(wait_started());
  const auto start = std::chrono::steady_clock::now();
  sender->stop();  // what the daemon's SIGTERM ends in
  EXPECT_LT(std::chrono::steady_clock::now() - start, kLimit + std::chrono::seconds(3));
  EXPECT_EQ(sender->stats().failed.load(), 1u);
}

// RFC 7489 6.2: a report goes to a URI "so long as the report payload does not exceed" its
// "!size" (RFC 9989 4.8 keeps the suffix as obsolete syntax only; a destination that states a
// limit is honoured). RFC 9991 defines no way to cut a report to fit, and the
// text/rfc822-headers part (RFC 6591 3.3) is the whole header, so a report over the limit is
// withheld from that address, not cut; the other addresses still get it, and the withheld
// one does not count against the rate limit.
TEST_F(FailureSenderTest, RufSizeLimitWithholdsALargerReport) {
  std::mutex mutex;
  std::string lines;
  log::capture([&](log::Level, std::string_view line) {
    std::lock_guard lock(mutex);
    lines += std::string(line) + "\n";
  });
  auto sender = make(1, 10);
  EXPECT_TRUE(sender->submit(job({"mailto:small@example.com!1k", "mailto:ruf@example.com!64k"})));
  sender->drain();
  log::capture({});
  ASSERT_EQ(sent_.mails.size(), 1u);
  EXPECT_EQ(sent_.mails[0].first, "ruf@example.com");
  EXPECT_LE(dmarc_report::wire_octets(sent_.mails[0].second), 64u * 1024);
  EXPECT_GT(dmarc_report::wire_octets(sent_.mails[0].second), 1024u);
  EXPECT_EQ(sender->stats().too_large.load(), 1u);
  EXPECT_EQ(sender->stats().rate_limited.load(), 0u);
  EXPECT_NE(lines.find("4F1A2B3C4D: dmarc: failure report for example.com not sent to "
                       "small@example.com: report mail of "),
            std::string::npos)
      << lines;
  EXPECT_NE(lines.find("octets is over the address's !size limit of 1024 octets"),
            std::string::npos)
      << lines;
  EXPECT_TRUE(sender->submit(job({"mailto:small@example.com!1k"})));  // its rate is untouched
  sender->drain();
  EXPECT_EQ(sender->stats().too_large.load(), 2u);
  EXPECT_EQ(sender->stats().rate_limited.load(), 0u);
}

// original_mail_from - the Original-Mail-From line of a sent report.
std::string original_mail_from(const std::string& report) {
  auto at = report.find("Original-Mail-From: ");
  return at == std::string::npos ? "" : report.substr(at, report.find('\n', at) - at);
}

// The redaction key is kept in dmarc.failure_report_redact_key: a restarted sender (a new
// FailureSender reading the same file) redacts an address as before; another key does not.
TEST_F(FailureSenderTest, RedactionIsStableAcrossARestart) {
  state::test::TempDir dir;
  auto key_in = [](std::string path, char fresh) {
    return [path, fresh] {
      auto key = dmarc_report::load_or_make_redaction_key(
          path, std::string(dmarc_report::kRedactionKeyOctets, fresh));
      EXPECT_TRUE(key.has_value()) << key.error();
      return key.value_or("");
    };
  };
  auto report_with = [&](std::function<std::string()> secret) {
    sent_.mails.clear();
    redaction_secret_ = secret();  // what the sender's start() reads
    auto restarted = make(100, 10);
    EXPECT_TRUE(restarted->submit(job()));
    restarted->drain();
    EXPECT_EQ(sent_.mails.size(), 1u);
    return sent_.mails.empty() ? std::string() : original_mail_from(sent_.mails[0].second);
  };
  const std::string first = report_with(key_in((dir.path() / "k").string(), 'a'));
  const std::string after_restart = report_with(key_in((dir.path() / "k").string(), 'b'));
  const std::string other_key = report_with(key_in((dir.path() / "other").string(), 'b'));
  EXPECT_TRUE(first.starts_with("Original-Mail-From: <redacted-")) << first;
  EXPECT_EQ(first, after_restart);
  EXPECT_NE(first, other_key);
}

TEST_F(FailureSenderTest, NotStartedDrops) {
  FailureSenderConfig c;
  c.settings.queue = 10;
  FailureSender sender(std::move(c));
  EXPECT_FALSE(sender.submit(job()));
  EXPECT_EQ(sender.stats().dropped.load(), 1u);
}

}  // namespace
}  // namespace postseal::verifier

namespace postseal::verifier {
namespace {

TEST(FailureJobs, QueuedJobIsBounded) {
  auto r = spoof();
  std::vector<mail::HeaderField> h{{"From: ceo@example.com"}};
  for (int i = 0; i < 2000; ++i) h.push_back({"X-Junk: " + std::string(500, 'j')});
  auto m = message(r, h);
  m.recipients.assign(1000, "x@example.net");
  auto jobs = failure_jobs(m);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_LE(jobs[0].report.headers.size(), dmarc_report::kMaxHeaderPartOctets);
  EXPECT_TRUE(jobs[0].report.headers.starts_with("From: ceo@example.com\r\n"));
  EXPECT_EQ(jobs[0].report.rcpt_to.size(), dmarc_report::kMaxReportedRecipients);
}

}  // namespace
}  // namespace postseal::verifier
