// daemon_test.cpp - the daemon lifecycle (core/net/daemon.hpp): SIGHUP calls the reload hook
// and a failed reload is one log line that keeps running; SIGTERM drains, a second one stops
// at once; a start and a stop line; SIGPIPE ignored; the fd budget warning; the log switch.
#include "core/net/daemon.hpp"

#include "core/util/log.hpp"

#include <CLI/CLI.hpp>
#include <asio/steady_timer.hpp>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <mutex>
#include <string>
#include <vector>

namespace postseal::net {
namespace {

struct Captured {
  std::mutex mutex;
  std::vector<std::string> lines;
  Captured() {
    log::capture([this](log::Level, std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    });
  }
  ~Captured() { log::capture({}); }
  bool has(std::string_view text) {
    std::lock_guard lock(mutex);
    for (const auto& l : lines)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }
};

TEST(Daemon, SighupReloadsAndSigtermDrains) {
  Captured log;
  Daemon daemon("test", 2);
  int reloads = 0, drains = 0;
  DaemonHooks hooks;
  hooks.reload = [&]() -> std::expected<std::string, std::string> {
    ++reloads;
    if (reloads == 1) return "first";
    return std::unexpected("bad.toml, line 2: unknown key 'a.b'\nbad.toml, line 3: unknown key 'a.c'");
  };
  hooks.drain = [&](std::function<void()> done) {
    ++drains;
    done();
  };
  // one signal per turn of the loop: asio delivers each once the previous handler re-armed
  asio::steady_timer t1(daemon.io(), std::chrono::milliseconds(20)), t2(daemon.io(), std::chrono::milliseconds(60)),
      t3(daemon.io(), std::chrono::milliseconds(100));
  t1.async_wait([](auto) { std::raise(SIGHUP); });
  t2.async_wait([](auto) { std::raise(SIGHUP); });
  t3.async_wait([](auto) { std::raise(SIGTERM); });
  EXPECT_EQ(daemon.run(std::move(hooks), "on nowhere"), 0);
  EXPECT_EQ(reloads, 2);
  EXPECT_EQ(drains, 1);
  EXPECT_TRUE(log.has("starting: on nowhere"));
  EXPECT_TRUE(log.has("test: reloaded: first"));
  EXPECT_TRUE(log.has("test: reload failed, keeping the running configuration: bad.toml, line 2: unknown key "
                      "'a.b'; bad.toml, line 3: unknown key 'a.c'"));
  EXPECT_TRUE(log.has("stopped"));
}

TEST(Daemon, SecondStopSignalStopsAtOnce) {
  Captured log;
  Daemon daemon("test", 1);
  DaemonHooks hooks;
  std::function<void()> kept;
  hooks.drain = [&](std::function<void()> done) { kept = std::move(done); };  // never finishes
  asio::steady_timer t1(daemon.io(), std::chrono::milliseconds(20)), t2(daemon.io(), std::chrono::milliseconds(60));
  t1.async_wait([](auto) { std::raise(SIGTERM); });
  t2.async_wait([](auto) { std::raise(SIGINT); });
  EXPECT_EQ(daemon.run(std::move(hooks), "x"), 0);
  EXPECT_TRUE(kept != nullptr);
  EXPECT_TRUE(log.has("second stop signal"));
}

TEST(Daemon, IgnoresSigpipe) {
  Daemon daemon("test", 1);
  struct sigaction old {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &old), 0);
  EXPECT_EQ(old.sa_handler, SIG_IGN);
}

TEST(Daemon, RaisesTheSoftFdLimitToTheHardOne) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max < 128) GTEST_SKIP() << "hard limit too low to lower the soft one";
  rlimit low = saved;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  const auto now = raise_fd_limit();
  rlimit after{};
  ::getrlimit(RLIMIT_NOFILE, &after);
  EXPECT_EQ(after.rlim_cur, saved.rlim_max);
  EXPECT_GT(now, 64u);
  ::setrlimit(RLIMIT_NOFILE, &saved);
}

TEST(Daemon, FdBudgetProblemNamesTheNumbers) {
  EXPECT_EQ(fd_budget_problem("signer", 100, 3, 1024), "");
  const auto p = fd_budget_problem("signer", 10000, 3, 1024);
  EXPECT_NE(p.find("signer: 10000 connections at 3 descriptors each need about 30032"), std::string::npos) << p;
  EXPECT_NE(p.find("limit of 1024"), std::string::npos) << p;
  EXPECT_NE(fd_budget_problem("x", 331, 3, 1024), "");  // 993 + kReservedFds > 1024
}

TEST(Daemon, LogSwitchAndOldSpellings) {
  for (auto [args, want] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{}, "syslog"},
           {{"--log", "stderr"}, "stderr"},
           {{"--foreground"}, "stderr"},
           {{"--syslog"}, "syslog"},
           {{"--log", "syslog"}, "syslog"}}) {
    CLI::App app;
    LogOptions o;
    add_log_options(&app, o);
    std::vector<std::string> argv(args.rbegin(), args.rend());
    app.parse(argv);
    EXPECT_EQ(o.target, want);
  }
  CLI::App app;
  LogOptions o;
  add_log_options(&app, o);
  std::vector<std::string> bad{"journal", "--log"};
  EXPECT_THROW(app.parse(bad), CLI::ValidationError);
}

TEST(Reloadable, SnapshotsOutliveASwap) {
  Reloadable<const int> holder(std::make_shared<int>(1));
  auto before = holder.get();
  holder.set(std::make_shared<int>(2));
  EXPECT_EQ(*before, 1);
  EXPECT_EQ(*holder.get(), 2);
}

}  // namespace
}  // namespace postseal::net
