// log.cpp - syslog/stderr log facade (see log.hpp).
#include "core/util/log.hpp"

#include <pthread.h>
#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <forward_list>
#include <mutex>

namespace postseal::log {
namespace {

// The process id in every line, read once per process rather than once per line (a system
// call per line was a tenth of a greylisting policy request's calls). 0: read it again - at
// start and in the child of a fork (the handler may only store: it runs in the child).
std::atomic<pid_t> cached_pid{0};

struct State {
  std::mutex mutex;
  std::string program = "postseal";
  // "postseal/verifier[1234]": syslog's ident, the pid written by us. openlog keeps the pointer
  // and libraries may call syslog() without our mutex, so an ident is never freed (one per
  // process that logs: a fork or two).
  std::forward_list<std::string> idents;
  pid_t ident_pid = 0;
  Target target = Target::stderr_stream;
  bool verbose = false;
  std::function<void(Level, std::string_view)> sink;
  State() { ::pthread_atfork(nullptr, nullptr, [] { cached_pid.store(0, std::memory_order_relaxed); }); }
};

State& state() {
  static State s;
  return s;
}

pid_t pid() {
  pid_t p = cached_pid.load(std::memory_order_relaxed);
  if (p == 0) {
    p = ::getpid();
    cached_pid.store(p, std::memory_order_relaxed);
  }
  return p;
}

// open_syslog - openlog with "PROGRAM[PID]" as the ident and no LOG_PID, so that syslog()
// does not ask the kernel for the pid on every line; the lines read as LOG_PID's do. Again
// after a fork (the pid changed). Called with the mutex held.
void open_syslog(State& s) {
  s.ident_pid = pid();
  s.idents.push_front(fmt::format("{}[{}]", s.program, s.ident_pid));
  ::openlog(s.idents.front().c_str(), LOG_NDELAY, LOG_MAIL);
}

std::string_view prefix(Level level) {
  switch (level) {
    case Level::warning: return "warning: ";
    case Level::error: return "error: ";
    case Level::fatal: return "fatal: ";
    default: return "";
  }
}

int priority(Level level) {
  switch (level) {
    case Level::debug: return LOG_DEBUG;
    case Level::info: return LOG_INFO;
    case Level::warning: return LOG_WARNING;
    case Level::error: return LOG_ERR;
    case Level::fatal: return LOG_CRIT;
  }
  return LOG_INFO;
}

}  // namespace

void open(std::string_view program, Target target) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.program = std::string(program);
  s.target = target;
  if (target == Target::syslog) open_syslog(s);
}

void set_verbose(bool on) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.verbose = on;
}

void capture(std::function<void(Level, std::string_view)> sink) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sink = std::move(sink);
}

void write(Level level, std::string_view line) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (level == Level::debug && !s.verbose && !s.sink) return;
  if (s.sink) {
    s.sink(level, line);
    return;
  }
  if (s.target == Target::syslog) {
    if (s.ident_pid != pid()) open_syslog(s);
    ::syslog(priority(level), "%.*s%.*s", static_cast<int>(prefix(level).size()),
             prefix(level).data(), static_cast<int>(line.size()), line.data());
    return;
  }
  std::string out = fmt::format("{}[{}]: {}{}\n", s.program, pid(), prefix(level), line);
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace postseal::log
