// sendmail_test.cpp - the hand-off to sendmail (core/dmarc_report/sendmail.hpp) with fake
// sendmail scripts: the arguments and the whole message arrive; an exit status other than 0
// is an error naming it; and the time limit holds (dmarc.report_sendmail_timeout): a sendmail
// that hangs after reading, one that never reads a message larger than a pipe holds, and one
// whose helper process hangs are all killed (the helper too: the process group) and the call
// returns within the limit with "timed out". The scripts sleep; the test waits only for the
// limit it sets (a few hundred milliseconds).
#include "core/dmarc_report/sendmail.hpp"

#include "tests/unit/state/test_backends.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace postseal::dmarc_report {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kLimit = 300ms;
// kEnough - the limit of the calls that must finish (a busy CI machine starts sh slowly).
constexpr auto kEnough = 60s;
// kPatience - how long past the limit a call may take (a busy CI machine).
constexpr auto kPatience = 3s;

class SendmailTest : public ::testing::Test {
 protected:
  // script - a fake sendmail running `body` (sh); its path.
  std::string script(const std::string& body) {
    const auto path = dir_.path() / "sendmail";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(path, fs::perms::owner_all);
    return path.string();
  }
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string slurp(const std::string& name) const {
    std::ifstream in(file(name), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // alive - whether the process whose pid the script wrote to `name` still runs (a zombie
  // waiting for a parent that does not reap it counts as gone; no pid written: the script was
  // killed before it got that far, nothing runs).
  bool alive(const std::string& name) const {
    std::ifstream pid_file(file(name));
    pid_t pid = 0;
    if (!(pid_file >> pid) || pid <= 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
  }
  // timed - send_mail's result and how long it took.
  std::pair<std::expected<void, std::string>, std::chrono::steady_clock::duration> timed(
      const std::string& sendmail, std::string_view message,
      std::chrono::milliseconds limit = kLimit) {
    const auto start = std::chrono::steady_clock::now();
    auto r = send_mail(sendmail, "dmarc@receiver.example", "ruf@example.com", message, limit);
    return {r, std::chrono::steady_clock::now() - start};
  }

  state::test::TempDir dir_;
};

TEST_F(SendmailTest, ArgumentsAndMessageArrive) {
  auto sendmail = script("echo \"$*\" > " + file("args") + "; cat > " + file("message"));
  const std::string message = "From: dmarc@receiver.example\n\n" + std::string(200000, 'x') + "\n";
  auto [r, took] = timed(sendmail, message, kEnough);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(slurp("args"), "-i -f dmarc@receiver.example -- ruf@example.com\n");
  EXPECT_EQ(slurp("message"), message);
}

TEST_F(SendmailTest, ExitStatusIsAnError) {
  auto sendmail = script("cat > /dev/null; exit 75");
  auto [r, took] = timed(sendmail, "x\n", kEnough);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), sendmail + " exited with status 75");
}

TEST_F(SendmailTest, MissingProgramIsAnError) {
  auto [r, took] = timed(file("no-such-sendmail"), "x\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("No such file"), std::string::npos) << r.error();
}

TEST_F(SendmailTest, HangingAfterReadingIsKilledAtTheLimit) {
  auto sendmail = script("echo $$ > " + file("pid") + "; cat > /dev/null; exec sleep 30");
  auto [r, took] = timed(sendmail, "x\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), sendmail + " timed out after 0.3 s: killed");
  EXPECT_GE(took, kLimit);
  EXPECT_LT(took, kLimit + kPatience);
  EXPECT_FALSE(alive("pid"));
}

TEST_F(SendmailTest, NeverReadingIsKilledAtTheLimitWhileWeWrite) {
  auto sendmail = script("echo $$ > " + file("pid") + "; exec sleep 30");
  auto [r, took] = timed(sendmail, std::string(4 << 20, 'x'));  // far more than a pipe holds
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("timed out after 0.3 s: killed"), std::string::npos) << r.error();
  EXPECT_LT(took, kLimit + kPatience);
  EXPECT_FALSE(alive("pid"));
}

TEST_F(SendmailTest, HangingHelperIsKilledWithIt) {
  // like Postfix's sendmail waiting for its postdrop
  auto sendmail = script("cat > /dev/null; sleep 30 & echo $! > " + file("helper") + "; wait");
  auto [r, took] = timed(sendmail, "x\n");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("timed out"), std::string::npos) << r.error();
  EXPECT_LT(took, kLimit + kPatience);
  for (int i = 0; i < 100 && alive("helper"); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(alive("helper"));
}

}  // namespace
}  // namespace postseal::dmarc_report
