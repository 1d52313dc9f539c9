// run_command.cpp - fork, exec, wait with a deadline (see run_command.hpp).
#include "keys/rotation/run_command.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace postseal::rotation {
namespace {

// pointers - a NULL-terminated char* array over `strings` (which must outlive it).
std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// child - in the forked child: stdin from /dev/null, then exec; exit 127 if that fails.
[[noreturn]] void child(char* const* argv, char* const* envp) {
  int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, 0);
  ::execvpe(argv[0], argv, envp);
  ::_exit(127);
}

std::expected<void, std::string> status_text(const std::string& program, int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return std::unexpected(fmt::format("{}: could not be run (exit 127)", program));
  if (WIFEXITED(status)) return std::unexpected(fmt::format("{}: exit {}", program, WEXITSTATUS(status)));
  return std::unexpected(fmt::format("{}: killed by signal {}", program, WTERMSIG(status)));
}

}  // namespace

std::expected<void, std::string> run_command(const std::vector<std::string>& argv,
                                             const std::vector<std::pair<std::string, std::string>>& env,
                                             std::chrono::seconds timeout) {
  if (argv.empty() || argv[0].empty()) return std::unexpected("no program to run");
  std::vector<std::string> args = argv, vars;
  for (char** e = environ; *e != nullptr; ++e) vars.emplace_back(*e);
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  auto arg_ptrs = pointers(args), var_ptrs = pointers(vars);
  const pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(fmt::format("{}: fork: {}", argv[0], std::strerror(errno)));
  if (pid == 0) child(arg_ptrs.data(), var_ptrs.data());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status_text(argv[0], status);
    if (done < 0 && errno != EINTR) return std::unexpected(fmt::format("{}: waitpid: {}", argv[0], std::strerror(errno)));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::unexpected(fmt::format("{}: killed after {} s", argv[0], timeout.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace postseal::rotation
