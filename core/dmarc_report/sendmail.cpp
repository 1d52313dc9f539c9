// sendmail.cpp - running sendmail(1) within a time limit (see sendmail.hpp).
#include "core/dmarc_report/sendmail.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <optional>

extern char** environ;

namespace postseal::dmarc_report {
namespace {

using Clock = std::chrono::steady_clock;

// kPollTick - how often the exit is looked for when the kernel has no pidfd_open (before 5.3).
constexpr std::chrono::milliseconds kPollTick{20};

// SigpipeBlocked - SIGPIPE held back in this thread (a sendmail that dies early makes our
// write fail with EPIPE instead of killing the daemon); a pending one is discarded at the end.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old_);
  }
  ~SigpipeBlocked() {
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    const timespec now{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &now) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;
  // before - the thread's mask before, which the child gets
  const sigset_t& before() const { return old_; }

 private:
  sigset_t old_;
};

// Child - one running sendmail: its pid, the write end of its stdin and its pidfd (-1 without).
struct Child {
  pid_t pid = 0;
  int input = -1;
  int pidfd = -1;
  std::optional<int> status;  // set once reaped
};

// spawn - start `argv` with stdin from a pipe, in its own process group, with signal mask
// `mask` and SIGPIPE's default action; the error says why not.
std::expected<Child, std::string> spawn(const std::string& sendmail, char* const argv[],
                                        const sigset_t& mask) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &mask);
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &pipe_only);
  Child child;
  int rc = posix_spawn(&child.pid, sendmail.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    return std::unexpected(fmt::format("{}: {}", sendmail, std::strerror(rc)));
  }
  child.input = fds[1];
  ::fcntl(child.input, F_SETFL, ::fcntl(child.input, F_GETFL) | O_NONBLOCK);
  child.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
  return child;
}

// reap - whether the child has exited (its status kept), without waiting.
bool reap(Child& child) {
  if (child.status) return true;
  int status = 0;
  pid_t r = ::waitpid(child.pid, &status, WNOHANG);
  if (r == child.pid) child.status = status;
  return child.status.has_value();
}

// close_input - no more input for the child (EOF).
void close_input(Child& child) {
  if (child.input >= 0) ::close(child.input);
  child.input = -1;
}

// feed - write what the pipe takes now; false when the child stopped reading (EPIPE).
bool feed(Child& child, std::string_view& rest) {
  while (!rest.empty()) {
    ssize_t n = ::write(child.input, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// wait_for_io - poll the input (while there is some to write) and the exit until `deadline`.
void wait_for_io(const Child& child, Clock::time_point deadline) {
  pollfd fds[2];
  nfds_t n = 0;
  if (child.input >= 0) fds[n++] = pollfd{child.input, POLLOUT, 0};
  if (child.pidfd >= 0) fds[n++] = pollfd{child.pidfd, POLLIN, 0};
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (child.pidfd < 0) left = std::min(left, kPollTick);
  ::poll(fds, n, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
}

// run_until - feed `message` and wait for the exit until `deadline`; false when time ran out.
// `whole` says whether the child read all of it.
bool run_until(Child& child, std::string_view message, Clock::time_point deadline, bool& whole) {
  whole = true;
  for (;;) {
    if (child.input >= 0) {
      if (!feed(child, message)) whole = false;
      if (message.empty() || !whole) close_input(child);
    }
    if (reap(child)) {
      if (!message.empty()) whole = false;
      return true;
    }
    if (Clock::now() >= deadline) return false;
    wait_for_io(child, deadline);
  }
}

// exit_status - the child's status as a result.
std::expected<void, std::string> exit_status(int status, const std::string& sendmail) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status))
    return std::unexpected(fmt::format("{} exited with status {}", sendmail, WEXITSTATUS(status)));
  return std::unexpected(fmt::format("{} killed by signal {}", sendmail, WTERMSIG(status)));
}

}  // namespace

std::expected<void, std::string> send_mail(const std::string& sendmail, const std::string& from,
                                           const std::string& to, std::string_view message,
                                           std::chrono::milliseconds timeout) {
  std::string i = "-i", f = "-f", dashes = "--", from_arg = from, to_arg = to, path = sendmail;
  char* argv[] = {path.data(),   i.data(),      f.data(), from_arg.data(),
                  dashes.data(), to_arg.data(), nullptr};
  const auto deadline = Clock::now() + timeout;
  SigpipeBlocked no_sigpipe;
  auto child = spawn(sendmail, argv, no_sigpipe.before());
  if (!child) return std::unexpected(child.error());
  bool whole = true;
  const bool finished = run_until(*child, message, deadline, whole);
  close_input(*child);
  if (!finished) {
    ::kill(-child->pid, SIGKILL);  // its process group: postdrop and any helper too
    while (::waitpid(child->pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (child->pidfd >= 0) ::close(child->pidfd);
  if (!finished)
    return std::unexpected(fmt::format("{} timed out after {} s: killed", sendmail,
                                       static_cast<double>(timeout.count()) / 1000.0));
  if (auto status = exit_status(*child->status, sendmail); !status) return status;
  if (!whole) return std::unexpected(fmt::format("{} did not read the whole message", sendmail));
  return {};
}

}  // namespace postseal::dmarc_report
