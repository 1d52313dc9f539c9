// log_test.cpp - the log facade's process id: read once per process, read again after a fork.
#include "core/util/log.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace postseal::log {
namespace {

// line_from_child - fork; the child writes one stderr line into a pipe and exits. The line.
std::string line_from_child() {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  std::fflush(stderr);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(fds[1], 2);
    write(Level::info, "from the child");
    std::fflush(stderr);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  return out + "|child=" + std::to_string(child);
}

TEST(Log, AForkedChildWritesItsOwnProcessId) {
  open("postseal/test", Target::stderr_stream);
  write(Level::info, "from the parent");  // the parent's pid is now cached
  const std::string got = line_from_child();
  const auto bar = got.rfind("|child=");
  ASSERT_NE(bar, std::string::npos);
  const std::string child = got.substr(bar + 7);
  EXPECT_EQ(got.substr(0, bar), "postseal/test[" + child + "]: from the child\n");
  EXPECT_NE(child, std::to_string(::getpid()));
}

}  // namespace
}  // namespace postseal::log
