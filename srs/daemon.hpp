// daemon.hpp - `postseal srsd`: socketmap and tcp_table lookup servers around one Rewriter,
// on the daemon lifecycle of core/net/daemon.hpp (SIGHUP rebuilds the codec and rewriter from
// the config and secrets file; each read batch of requests uses the state current then).
//
// One process; every connection is a coroutine, persistent: a client sends as many requests
// as it likes. With srs.threads = 1 the connections are strands of the daemon's one loop; with
// more, each stays on one of srs.threads session threads with an io_context each
// (core/net/session_threads.hpp), the loop keeping signals, listeners and the drain.
// Protocols: socketmap (srs/socketmap.hpp, maps "forward" and "reverse") and tcp_table
// (srs/tcp_table.hpp, one listener per direction, postsrsd 1.x compatible). Untrusted input:
// request bytes from Postfix (or anyone who can connect). Limits: kMaxQueryOctets per
// socketmap request (then the connection is closed), kMaxLineOctets per tcp_table line (500,
// line skipped), an idle timeout per connection, a connection cap per listener. Each lookup is
// counted in postseal_srs_total{direction,result} and, with [metrics] listen set, served on
// PORT+2 (core/metrics/).
#pragma once

#include "core/metrics/options.hpp"
#include "core/net/daemon.hpp"
#include "core/net/endpoint.hpp"
#include "core/net/server.hpp"
#include "srs/rewriter.hpp"

#include <asio/awaitable.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace postseal::srs {

// DaemonSettings - what srsd serves and how.
struct DaemonSettings {
  std::optional<net::Endpoint> socketmap;    // socketmap listener (none: off)
  std::optional<net::Endpoint> tcp_forward;  // tcp_table forward listener (none: off)
  std::optional<net::Endpoint> tcp_reverse;  // tcp_table reverse listener (none: off)
  std::string user;                          // drop to this user after binding ("" : stay)
  int threads = 1;
  std::size_t max_connections = net::kDefaultMaxConnections;
  std::chrono::seconds idle_timeout{300};
  bool verbose = false;  // log every lookup
  metrics::Options metrics;  // [metrics] listen (PORT+2), read at start only
};

// Lookups - the codec and the rewriter over it, built whole at start and on each reload.
struct Lookups {
  Lookups(SrsOptions options, const std::vector<std::string>& secrets, const Clock& clock,
          std::string domain, std::vector<std::string> local_domains)
      : codec(options, secrets, clock), rewriter(codec, std::move(domain), std::move(local_domains)) {}
  Lookups(const Lookups&) = delete;
  Lookups& operator=(const Lookups&) = delete;
  SrsCodec codec;
  Rewriter rewriter;  // points at codec
};
using LookupHolder = net::Reloadable<const Lookups>;
// Reload - the Lookups a SIGHUP builds, or why the running ones stay.
using Reload = std::function<std::expected<std::shared_ptr<const Lookups>, std::string>()>;

enum class Direction { forward, reverse };

// socketmap_session - serve socketmap requests on one connection until it closes.
asio::awaitable<void> socketmap_session(net::Socket socket, const LookupHolder& lookups,
                                        std::chrono::seconds idle, bool verbose);
// tcp_table_session - serve tcp_table "get" requests for one direction.
asio::awaitable<void> tcp_table_session(net::Socket socket, const LookupHolder& lookups,
                                        Direction direction, std::chrono::seconds idle,
                                        bool verbose);

// run_daemon - bind, drop privileges, serve until SIGTERM/SIGINT, reload on SIGHUP; returns
// the exit code. Throws StartupError when a listener cannot be bound.
int run_daemon(const DaemonSettings& settings, LookupHolder& lookups, Reload reload);

}  // namespace postseal::srs
