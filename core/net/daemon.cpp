// daemon.cpp - the daemon lifecycle (see daemon.hpp).
#include "core/net/daemon.hpp"

#include "core/net/privileges.hpp"
#include "core/util/log.hpp"
#include "core/util/read_file.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <thread>

namespace postseal::net {
namespace {

// one_line - a multi-line message (a config file with several problems) as one log line.
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\r') continue;
    out += c == '\n' ? std::string_view("; ") : std::string_view(&c, 1);
  }
  return out;
}

}  // namespace

void add_log_options(CLI::App* command, LogOptions& options) {
  command->add_option("--log", options.target, "where to log: syslog (facility mail, the default) or stderr")
      ->check(CLI::IsMember({"syslog", "stderr"}));
  command->add_flag_callback("--foreground", [&options] { options.target = "stderr"; },
                             "log to stderr (the same as --log stderr)");
  command->add_flag_callback("--syslog", [&options] { options.target = "syslog"; },
                             "log to syslog (the same as --log syslog)");
  command->add_flag("-v,--verbose", options.verbose, "log debug lines too");
}

void start_logging(std::string_view program, const LogOptions& options) {
  log::open(program, options.target == "stderr" ? log::Target::stderr_stream : log::Target::syslog);
  log::set_verbose(options.verbose);
}

std::string local_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::uint64_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_cur);
}

std::uint64_t fd_limit_after_raise() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return limit.rlim_max == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_max);
}

std::string fd_budget_problem(std::string_view what, std::uint64_t connections,
                              std::uint64_t fds_per_session, std::uint64_t limit) {
  const std::uint64_t needed = connections * fds_per_session + kReservedFds;
  if (needed <= limit) return {};
  return fmt::format("{}: {} connections at {} descriptors each need about {} descriptors, "
                     "more than the limit of {} (raise LimitNOFILE= or lower the connection cap)",
                     what, connections, fds_per_session, needed, limit);
}

std::vector<std::string> daemon_problems(const std::string& config_path, std::string_view section,
                                         const std::string& user, std::uint64_t connections,
                                         std::uint64_t fds_per_session) {
  std::vector<std::string> problems;
  if (!user.empty() && !user_exists(user)) problems.push_back(fmt::format("{}.user: unknown user '{}'", section, user));
  if (const auto ids = user.empty() ? std::nullopt : user_ids(user))
    if (auto p = unreadable_by(config_path, "config file", user, ids->uid, ids->gid)) problems.push_back(std::move(*p));
  const auto what = fmt::format("{}.max_connections", section);
  if (auto p = fd_budget_problem(what, connections, fds_per_session, fd_limit_after_raise()); !p.empty())
    problems.push_back("warning: " + p);
  return problems;
}

Daemon::Daemon(std::string name, int threads)
    : name_(std::move(name)),
      threads_(threads < 1 ? 1 : threads),
      io_(threads_),
      signals_(io_, SIGHUP, SIGTERM, SIGINT) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer gone mid-write is an error code, not our death
  raise_fd_limit();
}

int Daemon::run(DaemonHooks hooks, std::string_view start_line) {
  hooks_ = std::move(hooks);
  wait_for_signal();
  log::info("starting: {}", start_line);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads_; ++i) pool.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : pool) t.join();
  log::info("stopped");
  return 0;
}

void Daemon::wait_for_signal() {
  signals_.async_wait([this](const std::error_code& ec, int signal) {
    if (ec) return;
    on_signal(signal);
    wait_for_signal();
  });
}

void Daemon::on_signal(int signal) {
  if (signal == SIGHUP) return reload();
  if (draining_) {
    log::info("{}: second stop signal, stopping now", name_);
    io_.stop();
    return;
  }
  draining_ = true;
  log::info("{}: stopping on signal {}", name_, signal);
  if (!hooks_.drain) return io_.stop();
  hooks_.drain([this] { io_.stop(); });
}

void Daemon::reload() {
  if (!hooks_.reload) return log::info("{}: SIGHUP: nothing to reload", name_);
  auto result = hooks_.reload();
  if (!result)
    return log::error("{}: reload failed, keeping the running configuration: {}", name_,
                      one_line(result.error()));
  log::info("{}: reloaded: {}", name_, *result);
}

void SessionDrain::start(std::chrono::seconds grace, std::function<void()> done) {
  done_ = std::move(done);
  end_ = std::chrono::steady_clock::now() + grace;
  log::info("{}: finishing {} session(s) for at most {}s", name_, active_(), grace.count());
  poll();
}

void SessionDrain::poll() {
  const std::size_t active = active_();
  if (active == 0 || std::chrono::steady_clock::now() >= end_) {
    if (active > 0)
      log::warning("{}: {} session(s) cut off at shutdown; no 250 was given for their mail", name_, active);
    if (done_) done_();
    return;
  }
  timer_.expires_after(kDrainPoll);
  timer_.async_wait([this](const std::error_code& ec) {
    if (!ec) poll();
  });
}

}  // namespace postseal::net
