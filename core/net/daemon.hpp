// daemon.hpp - the one lifecycle of every postseal daemon (`signer`, `srsd`, `verifier`).
//
// Start-up, in this order: start_logging() (the one log switch, --log syslog|stderr, default
// syslog facility mail), the config file (config::File::load_or_default: -c, else
// /etc/postseal/postseal.toml when it exists), a Daemon (SIGPIPE ignored, the soft
// RLIMIT_NOFILE raised to the hard limit, signal handlers installed), the listeners bound
// (net::Server), privileges dropped (drop_privileges), then Daemon::run() serves on a thread
// pool. Sessions run on strands of this loop, or on session threads of the caller's
// (session_threads.hpp, net::Server::spread_over: the signer, and srsd with srs.threads > 1;
// declared after what the sessions use, so that open sessions end before it), this loop then
// keeping the signals, the listeners and the drain. Signals: SIGHUP calls the reload hook (config and keys or secrets; a reload that fails
// keeps the running state and logs why on one line), SIGTERM/SIGINT call the drain hook (stop
// accepting, let work in progress finish within the daemon's grace time) and a second one
// stops at once. Every daemon logs one start line ("starting: ...") and one stop line
// ("stopped"). Untrusted input: none (signals come from the local admin).
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace postseal::net {

// LogOptions - where a daemon logs and how much.
struct LogOptions {
  std::string target = "syslog";  // "syslog" (facility mail) or "stderr"
  bool verbose = false;           // debug lines too
};

// add_log_options - --log syslog|stderr and -v; --foreground (= --log stderr) and --syslog
// (= --log syslog) stay as the old spellings.
void add_log_options(CLI::App* command, LogOptions& options);
// start_logging - open the log as `program` ("postseal/signer").
void start_logging(std::string_view program, const LogOptions& options);

// local_host_name - gethostname(), or "localhost" when the host has no name.
std::string local_host_name();

// raise_fd_limit - set the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now
// in force.
std::uint64_t raise_fd_limit();
// fd_limit_after_raise - the soft limit raise_fd_limit() would give (the hard limit), without
// changing anything (check-config).
std::uint64_t fd_limit_after_raise();
// fd_budget_problem - a warning text when `connections` sessions of `fds_per_session`
// descriptors each (plus kReservedFds) do not fit in `limit`; empty when they do.
std::string fd_budget_problem(std::string_view what, std::uint64_t connections,
                              std::uint64_t fds_per_session, std::uint64_t limit);
// daemon_problems - what check-config reports for a daemon's process settings: an unknown
// `SECTION.user` (drop_privileges would refuse it), a config file at `config_path` that user
// cannot read (the daemon rereads it on SIGHUP as that user; the message names the chown) and,
// as "warning: ...", connection caps (`SECTION.max_connections`) whose descriptors do not fit
// the hard RLIMIT_NOFILE.
std::vector<std::string> daemon_problems(const std::string& config_path, std::string_view section,
                                         const std::string& user,
                                         std::uint64_t connections, std::uint64_t fds_per_session);
// kReservedFds - descriptors a daemon holds besides its sessions (listeners, log, DNS, files).
inline constexpr std::uint64_t kReservedFds = 32;

// Reloadable - state that SIGHUP replaces while each user keeps the snapshot it took
// (T is usually const: Reloadable<const SigningTable>).
template <typename T>
class Reloadable {
 public:
  explicit Reloadable(std::shared_ptr<T> value) : value_(std::move(value)) {}
  std::shared_ptr<T> get() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  void set(std::shared_ptr<T> value) {
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<T> value_;
};

// DaemonHooks - what a daemon does on SIGHUP and SIGTERM.
struct DaemonHooks {
  // reload - reread config and keys; a summary for the log line, or why the running state
  // stays. Empty: SIGHUP is logged and ignored.
  std::function<std::expected<std::string, std::string>()> reload;
  // drain - stop accepting; call `done` once work in progress has finished.
  std::function<void(std::function<void()> done)> drain;
};

class Daemon {
 public:
  // name: the daemon in log lines; threads: how many threads run the io_context.
  Daemon(std::string name, int threads);
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  asio::io_context& io() { return io_; }
  // run - log "starting: <start_line>", serve until drained, log "stopped"; returns 0.
  int run(DaemonHooks hooks, std::string_view start_line);

 private:
  void wait_for_signal();
  void on_signal(int signal);
  void reload();

  std::string name_;
  int threads_;
  asio::io_context io_;
  asio::signal_set signals_;
  DaemonHooks hooks_;
  bool draining_ = false;
};

// SessionDrain - waits, after the listeners closed, for `active()` to reach 0 or `grace` to
// pass; then logs how many sessions were cut off and calls `done`.
class SessionDrain {
 public:
  SessionDrain(asio::io_context& io, std::string name, std::function<std::size_t()> active)
      : timer_(io), name_(std::move(name)), active_(std::move(active)) {}
  void start(std::chrono::seconds grace, std::function<void()> done);

 private:
  void poll();

  asio::steady_timer timer_;
  std::string name_;
  std::function<std::size_t()> active_;
  std::function<void()> done_;
  std::chrono::steady_clock::time_point end_{};
};

// kDrainPoll - how often SessionDrain looks at the session count.
inline constexpr std::chrono::milliseconds kDrainPoll{50};

}  // namespace postseal::net
