// run_command.hpp - run keys.dns_hook or keys.reload_command from `postseal keys tick`.
//
// fork + execvpe with the caller's environment plus the given variables; no shell, so record
// names and values reach the program as single arguments whatever they hold. stdin is
// /dev/null; stdout and stderr are tick's. Untrusted input: none (argv from the config and
// from validated records). Limits: kCommandTimeoutSeconds, then the program is killed.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace postseal::rotation {

inline constexpr int kCommandTimeoutSeconds = 120;

// run_command - run argv[0] (searched in PATH when it has no '/') and wait; an error says
// what failed (not found, exit status, signal, timeout).
std::expected<void, std::string> run_command(const std::vector<std::string>& argv,
                                             const std::vector<std::pair<std::string, std::string>>& env,
                                             std::chrono::seconds timeout = std::chrono::seconds(kCommandTimeoutSeconds));

}  // namespace postseal::rotation
