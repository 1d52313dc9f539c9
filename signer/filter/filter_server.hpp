// filter_server.hpp - run `postseal signer` on the daemon lifecycle (core/net/daemon.hpp):
// bind, load keys, drop privileges, serve sessions on a small thread pool; SIGHUP reloads the
// signing table, SIGTERM drains.
//
// Shutdown (docs/security.md 14): SIGTERM closes the listeners, answers 421 to idle sessions, lets
// transactions in progress finish for at most shutdown_grace, then exits; a transaction cut
// off then has had no 250, so Postfix keeps the message queued. Reload: a table that fails to
// build (unreadable or too open key, bad config) is logged and the old one stays in use.
#pragma once

#include "core/metrics/options.hpp"
#include "core/net/daemon.hpp"
#include "signer/filter/filter_config.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace postseal::signer {

// kFdsPerSession - a session holds its client socket, its downstream socket and a spool file.
inline constexpr std::uint64_t kFdsPerSession = 3;

struct FilterOptions {
  FilterConfig config;
  std::optional<std::string> config_path;  // reread on SIGHUP
  std::vector<KeyOption> keys;             // --key, override the file
  net::LogOptions log;
  metrics::Options metrics;                // [metrics] listen, read at start only
  // configure - the [signer] relay settings of a config file under the command line's
  // --listen/--relay/--user/--protocol (at start and on SIGHUP); throws StartupError
  std::function<FilterConfig(const config::File*)> configure;
  // restart_keys - the keys read only at start (listener, threads, connection cap, user), less
  // those the command line sets: a SIGHUP that changes them logs one "restart to apply"
  std::vector<std::string> restart_keys;
};

// run_filter - serve until SIGTERM/SIGINT; returns the exit code. Start-up errors are thrown
// as StartupError.
int run_filter(const FilterOptions& options);

}  // namespace postseal::signer
