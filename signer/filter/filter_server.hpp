// filter_server.hpp - run `postseal signer`: bind, load keys, drop privileges, serve sessions
// on a small thread pool; SIGHUP reloads the signing table, SIGTERM drains.
//
// Shutdown (SECURITY 14): SIGTERM closes the listeners, answers 421 to idle sessions, lets
// transactions in progress finish for at most shutdown_grace, then exits; a transaction cut
// off then has had no 250, so Postfix keeps the message queued. Reload: a table that fails to
// build (unreadable or too open key, bad config) is logged and the old one stays in use.
#pragma once

#include "signer/filter/filter_config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace postseal::signer {

struct FilterOptions {
  FilterConfig config;
  std::optional<std::string> config_path;  // reread on SIGHUP
  std::vector<KeyOption> keys;             // --key, override the file
  bool foreground = false;                 // log to stderr instead of syslog
  bool verbose = false;
};

// run_filter - serve until SIGTERM/SIGINT; returns the exit code. Start-up errors are thrown
// as StartupError.
int run_filter(const FilterOptions& options);

}  // namespace postseal::signer
