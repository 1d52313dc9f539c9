// server.hpp - the milter protocol server (docs/milter-protocol.md): listens on a TCP or unix
// socket (core/net's Server: unix sockets bound owner-only then given owner, group and mode;
// TCP_NODELAY on every accepted TCP socket; accepts paused when descriptors run out) and hands
// each accepted connection to a pool of worker threads. A worker serves one connection at a
// time with blocking I/O: it reads as much as the socket has (several packets per read), runs
// the callbacks through a Dialog (dialog.hpp) and writes all replies of what it read in one
// write. The callbacks may block (they wait on the service's io_context for DNS), which is
// why they run on these threads and never on an io_context.
//
// Threads: workers start when serve() starts (after any fork), kPrestartedWorkers of them; the
// pool grows to max_connections + kRefusalHeadroom (connections above max_connections are
// served only to be tempfailed at connect, milter.cpp), and keeps at most kMaxIdleWorkers idle
// threads. A connection beyond that is closed at once (the MTA applies its default action).
// Limits: milter.timeout on every read and write (a stalled MTA is dropped); a read buffer of
// kInitialReadOctets per connection, grown (doubling) only when a frame does not fit, to at
// most protocol::kMaxPacketOctets plus kReadOctets: an idle connection costs its thread's
// touched stack and 1 KiB (soak.idle_connections bounds it at 16 KiB).
// Untrusted input: every octet the MTA sends (the Dialog and the codec check it).
#pragma once

#include "core/net/endpoint.hpp"
#include "core/net/server.hpp"
#include "verifier/milter/context.hpp"

#include <asio/io_context.hpp>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace postseal::milter {

// kReadOctets - the room one read() may need beyond a whole frame (the buffer's bound).
inline constexpr std::size_t kReadOctets = 64 * 1024;
// kInitialReadOctets - a connection's read buffer until a frame needs more (Postfix's packets
// are mostly small; body chunks are up to 64 KiB).
inline constexpr std::size_t kInitialReadOctets = 1024;
// kPrestartedWorkers - worker threads started with the server.
inline constexpr std::size_t kPrestartedWorkers = 4;
// kMaxIdleWorkers - idle worker threads kept; more exit when their connection ends.
inline constexpr std::size_t kMaxIdleWorkers = 32;
// kRefusalHeadroom - connections served above max_connections, to answer them tempfail.
inline constexpr std::size_t kRefusalHeadroom = 16;

// serve_connection - one connection on a blocking descriptor until it ends; closes `fd`.
void serve_connection(int fd, const Callbacks& callbacks, std::chrono::seconds timeout);

// WorkerPool - threads that each serve one connection at a time.
class WorkerPool {
 public:
  WorkerPool(const Callbacks& callbacks, std::chrono::seconds timeout, std::size_t max_threads);
  // start - the pre-started threads.
  void start();
  // submit - serve `fd` on a worker; closed at once (false) when every thread allowed is busy.
  bool submit(int fd);

 private:
  void spawn();  // with mutex_ held
  void work();

  const Callbacks& callbacks_;
  std::chrono::seconds timeout_;
  std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<int> queue_;
  std::size_t threads_ = 0;
  std::size_t idle_ = 0;
};

// Server - the listener and its worker pool.
class Server {
 public:
  Server(const Callbacks& callbacks, std::chrono::seconds timeout, std::size_t max_connections);
  // listen - bind now (before privileges drop); throws StartupError naming the address.
  void listen(const net::Endpoint& endpoint, const net::SocketOptions* unix_options);
  // run - accept and serve until stop(); returns then (connections in progress go on).
  void run();
  void stop();

 private:
  asio::io_context accept_io_;
  WorkerPool pool_;
  net::Server listener_;
};

}  // namespace postseal::milter
