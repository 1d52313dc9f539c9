// daemon.hpp - `postseal srsd`: socketmap and tcp_table lookup servers around one Rewriter.
//
// One process, one io_context run by a small thread pool; every connection is a coroutine on
// its own strand (core/net Server), persistent: a client sends as many requests as it likes.
// Protocols: socketmap (srs/socketmap.hpp, maps "forward" and "reverse") and tcp_table
// (srs/tcp_table.hpp, one listener per direction, postsrsd 1.x compatible). Untrusted input:
// request bytes from Postfix (or anyone who can connect). Limits: kMaxQueryOctets per
// socketmap request (then the connection is closed), kMaxLineOctets per tcp_table line (500,
// line skipped), an idle timeout per connection, a connection cap per listener.
#pragma once

#include "core/net/endpoint.hpp"
#include "core/net/server.hpp"
#include "srs/rewriter.hpp"

#include <asio/awaitable.hpp>

#include <chrono>
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
};

enum class Direction { forward, reverse };

// socketmap_session - serve socketmap requests on one connection until it closes.
asio::awaitable<void> socketmap_session(net::Socket socket, const Rewriter& rewriter,
                                        std::chrono::seconds idle, bool verbose);
// tcp_table_session - serve tcp_table "get" requests for one direction.
asio::awaitable<void> tcp_table_session(net::Socket socket, const Rewriter& rewriter,
                                        Direction direction, std::chrono::seconds idle,
                                        bool verbose);

// run_daemon - bind, drop privileges, serve until SIGTERM/SIGINT; returns the exit code.
// The rewriter must outlive the call. Throws StartupError when a listener cannot be bound.
int run_daemon(const DaemonSettings& settings, const Rewriter& rewriter);

}  // namespace postseal::srs
