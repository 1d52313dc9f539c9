// log.hpp - the one way postseal logs.
//
// Lines look like Postfix's: "postseal/signer[1234]: 4F1A2B3C4D: DKIM-Signature added
// (d=example.com, s=2026a)". The queue id, when known, comes first; warnings and errors carry
// Postfix's "warning: " / "error: " / "fatal: " prefix. Output goes to syslog (mail facility)
// or to stderr, as chosen once at start-up; tests may capture lines instead. Callers pass
// untrusted text through printable() first; key material is never logged.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace postseal::log {

enum class Level { debug, info, warning, error, fatal };
enum class Target { stderr_stream, syslog };

// open - name the program ("postseal/signer") and choose where lines go.
void open(std::string_view program, Target target);
// set_verbose - let debug lines through.
void set_verbose(bool on);
// capture - send every line to `sink` instead (tests); an empty function restores output.
void capture(std::function<void(Level, std::string_view)> sink);
// write - one line at a level.
void write(Level level, std::string_view line);

template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... a) {
  write(Level::debug, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... a) {
  write(Level::info, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... a) {
  write(Level::warning, fmt::format(f, std::forward<Args>(a)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... a) {
  write(Level::error, fmt::format(f, std::forward<Args>(a)...));
}

}  // namespace postseal::log
