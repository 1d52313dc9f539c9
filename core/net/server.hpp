// server.hpp - listeners and accept loops shared by every postseal daemon.
//
// A Server binds one or more endpoints (TCP or unix sockets) at start-up, before privileges
// are dropped, then accepts on Asio coroutines. Each connection gets its own strand, so a
// session's coroutine and its Deadline timer never run at the same time even when the
// io_context runs on several threads. Limits: at most `max_connections` sessions at once; a
// connection over the cap is handed to the busy handler (an SMTP daemon writes 421) and
// closed. TCP sockets get TCP_NODELAY (replies are written whole; Postfix clients would
// otherwise wait on Nagle). Unix sockets replace a stale socket file and are bound owner-only
// (kBindUmask); given SocketOptions they then get that owner, group and mode (secure_socket,
// core/net/unix_socket.hpp), else mode 0666 (put them in a directory whose permissions say who
// may connect). Out of descriptors or
// memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the accept loop pauses kAcceptPause before trying
// again, instead of spinning on the connection left in the backlog, and logs at most one line
// per kAcceptLogInterval with the number of failures.
#pragma once

#include "core/net/endpoint.hpp"
#include "core/net/unix_socket.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/basic_socket_acceptor.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace postseal::net {

using Socket = asio::generic::stream_protocol::socket;
using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;

// kDefaultMaxConnections - sessions served at once by one Server unless configured.
inline constexpr std::size_t kDefaultMaxConnections = 256;
// kListenBacklog - pending connections the kernel queues for us.
inline constexpr int kListenBacklog = 128;
// kAcceptPause - how long accepting stops after accept() ran out of descriptors or memory.
inline constexpr std::chrono::milliseconds kAcceptPause{250};
// kAcceptLogInterval - at most one log line per this interval for such failures.
inline constexpr std::chrono::seconds kAcceptLogInterval{5};

// resource_exhausted - the accept() errors that pause the accept loop.
bool resource_exhausted(const std::error_code& ec);

class Server {
 public:
  using Handler = std::function<asio::awaitable<void>(Socket)>;
  using BusyHandler = std::function<void(Socket&)>;

  Server(asio::io_context& io, std::string name, std::size_t max_connections, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // listen - bind and listen now; throws StartupError naming the address on failure. A unix
  // socket gets `unix_options` (owner, group, mode) when given, else mode 0666.
  void listen(const Endpoint& endpoint, const SocketOptions* unix_options = nullptr);
  // on_busy - what to do with a connection over the cap before it is closed.
  void on_busy(BusyHandler busy) { busy_ = std::move(busy); }
  // spread_over - serve each new session on the executor `next()` gives (SessionThreads::next:
  // a context of its own per thread) instead of a strand of the listening io_context.
  void spread_over(std::function<asio::any_io_executor()> next) { next_executor_ = std::move(next); }
  // start - begin accepting on every bound endpoint.
  void start();
  // stop - close the listeners; sessions in progress continue to their end.
  void stop();
  std::size_t active() const { return active_->load(); }
  const std::string& name() const { return name_; }

 private:
  asio::awaitable<void> accept_loop(Acceptor& acceptor);
  asio::awaitable<void> pause_after(const std::error_code& ec);
  void launch(Socket socket);

  asio::io_context& io_;
  std::string name_;
  std::function<asio::any_io_executor()> next_executor_;
  std::size_t max_connections_;
  Handler handler_;
  BusyHandler busy_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<std::string> unix_paths_;
  std::shared_ptr<std::atomic<std::size_t>> active_;
  asio::strand<asio::io_context::executor_type> accept_strand_;  // every accept loop runs on it
  std::size_t accept_failures_ = 0;  // since the last log line
  std::chrono::steady_clock::time_point accept_logged_{};
};

}  // namespace postseal::net
