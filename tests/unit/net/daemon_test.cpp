// daemon_test.cpp - the daemon lifecycle (core/net/daemon.hpp): SIGHUP calls the reload hook
// and a failed reload is one log line that keeps running; SIGTERM drains, a second one stops
// at once; a start and a stop line; SIGPIPE ignored; the fd budget warning; the log switch;
// sessions on session threads (SessionThreads, as the signer and srsd use them) or on the loop.
#include "core/net/daemon.hpp"

#include "core/net/server.hpp"
#include "core/net/session_threads.hpp"

#include "core/util/log.hpp"

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
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

// Where a daemon's sessions ran: the thread that started each, the thread each resumed on after
// a hand-off to a strand of the daemon's loop (what a DNS lookup does, unbound_resolver.hpp),
// and the loop's own thread (signals, reload).
struct SessionPlaces {
  std::mutex mutex;
  std::set<std::thread::id> started;
  std::map<std::thread::id, std::thread::id> resumed;  // started on -> resumed on
  std::thread::id loop;
};

// serve_two_sessions - a daemon with `session_threads` over a unix socket: two clients each
// get "hello\n" from a session that first awaited work on the loop's strand; then SIGHUP and
// SIGTERM (the drain closes the listener) with both sessions still open.
void serve_two_sessions(int session_threads, SessionPlaces& places) {
  char dir[] = "/tmp/postseal-daemon-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/s.sock";
  Daemon daemon("test", 1);
  auto loop_strand = asio::make_strand(daemon.io());
  Server server(daemon.io(), "test", 8, [&](Socket s) -> asio::awaitable<void> {
    const auto on = std::this_thread::get_id();
    co_await asio::co_spawn(loop_strand, []() -> asio::awaitable<void> { co_return; }, asio::use_awaitable);
    {
      std::lock_guard lock(places.mutex);
      places.started.insert(on);
      places.resumed[on] = std::this_thread::get_id();
    }
    co_await asio::async_write(s, asio::buffer(std::string("hello\n")), asio::use_awaitable);
    char c;
    std::error_code ec;  // held open until the daemon stops
    co_await s.async_read_some(asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
  });
  std::optional<SessionThreads> sessions;  // after what the sessions use, as srsd declares it
  if (session_threads > 1) {
    sessions.emplace(session_threads);
    server.spread_over([&sessions] { return sessions->next(); });
    sessions->start();
  }
  server.listen(*parse_endpoint("unix:" + path));
  server.start();
  int reloads = 0;
  DaemonHooks hooks;
  hooks.reload = [&]() -> std::expected<std::string, std::string> {
    ++reloads;
    std::lock_guard lock(places.mutex);
    places.loop = std::this_thread::get_id();
    return "ok";
  };
  hooks.drain = [&](std::function<void()> done) {
    server.stop();
    done();
  };
  std::thread clients([&] {
    asio::io_context client_io;
    std::vector<asio::local::stream_protocol::socket> open;
    for (int i = 0; i < 2; ++i) {
      open.emplace_back(client_io);
      open.back().connect(path);
      char buf[6];
      asio::read(open.back(), asio::buffer(buf));
      EXPECT_EQ(std::string(buf, 6), "hello\n");
    }
    std::raise(SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // one signal per turn of the loop
    std::raise(SIGTERM);
  });
  EXPECT_EQ(daemon.run(std::move(hooks), "x"), 0);
  clients.join();
  EXPECT_EQ(reloads, 1);
  ::rmdir(dir);
}

// threads > 1: the sessions run on threads of their own, one each in turn, not on the loop's,
// and resume there after awaiting the loop's strand; SIGHUP and SIGTERM are the loop's and
// stop the daemon with sessions still open.
TEST(Daemon, SessionThreadsServeTheSessionsOffTheLoop) {
  SessionPlaces places;
  serve_two_sessions(2, places);
  std::lock_guard lock(places.mutex);
  EXPECT_EQ(places.started.size(), 2u);
  EXPECT_FALSE(places.started.contains(places.loop));
  for (const auto& [on, resumed] : places.resumed) EXPECT_EQ(resumed, on);
}

// threads = 1: the sessions stay on the loop's thread (no hand-off between threads).
TEST(Daemon, OneThreadServesTheSessionsOnTheLoop) {
  SessionPlaces places;
  serve_two_sessions(1, places);
  std::lock_guard lock(places.mutex);
  EXPECT_EQ(places.started.size(), 1u);
  EXPECT_TRUE(places.started.contains(places.loop));
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
