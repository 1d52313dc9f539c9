// sendmail.cpp - running sendmail(1) (see sendmail.hpp).
#include "core/dmarc_report/sendmail.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

extern char** environ;

namespace postseal::dmarc_report {
namespace {

// write_all - the whole of `text` to `fd`; false on a write error (EPIPE: sendmail died).
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// wait_status - the child's exit as a result.
std::expected<void, std::string> wait_status(pid_t pid, const std::string& sendmail) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return std::unexpected(fmt::format("{}: waitpid: {}", sendmail, std::strerror(errno)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status))
    return std::unexpected(fmt::format("{} exited with status {}", sendmail, WEXITSTATUS(status)));
  return std::unexpected(fmt::format("{} killed by signal {}", sendmail, WTERMSIG(status)));
}

}  // namespace

std::expected<void, std::string> send_mail(const std::string& sendmail, const std::string& from,
                                           const std::string& to, std::string_view message) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return std::unexpected(fmt::format("pipe: {}", std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], STDIN_FILENO);
  std::string i = "-i", f = "-f", dashes = "--", from_arg = from, to_arg = to, path = sendmail;
  char* argv[] = {path.data(),   i.data(),      f.data(), from_arg.data(),
                  dashes.data(), to_arg.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, sendmail.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[0]);
  if (rc != 0) {
    ::close(pipe_fds[1]);
    return std::unexpected(fmt::format("{}: {}", sendmail, std::strerror(rc)));
  }
  auto old = std::signal(SIGPIPE, SIG_IGN);
  bool written = write_all(pipe_fds[1], message);
  ::close(pipe_fds[1]);
  std::signal(SIGPIPE, old);
  auto status = wait_status(pid, sendmail);
  if (!status) return status;
  if (!written) return std::unexpected(fmt::format("{} did not read the whole message", sendmail));
  return {};
}

}  // namespace postseal::dmarc_report
