// log.cpp - syslog/stderr log facade (see log.hpp).
#include "core/util/log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace postseal::log {
namespace {

struct State {
  std::mutex mutex;
  std::string program = "postseal";
  Target target = Target::stderr_stream;
  bool verbose = false;
  std::function<void(Level, std::string_view)> sink;
};

State& state() {
  static State s;
  return s;
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
  if (target == Target::syslog) ::openlog(s.program.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
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
    ::syslog(priority(level), "%.*s%.*s", static_cast<int>(prefix(level).size()),
             prefix(level).data(), static_cast<int>(line.size()), line.data());
    return;
  }
  std::string out = fmt::format("{}[{}]: {}{}\n", s.program, ::getpid(), prefix(level), line);
  std::fwrite(out.data(), 1, out.size(), stderr);
}

}  // namespace postseal::log
