// session_threads.hpp - threads that serve sessions, each running an io_context of its own; a
// session stays on the context it was given (net::Server::spread_over).
//
// Why not one io_context run by several threads: then every completion may be handed from the
// thread that saw it to another (asio's scheduler wakes a sleeping thread through its epoll
// interrupter: an epoll_ctl and a futex wake, and the woken thread's epoll_wait). Measured on the
// signing filter relaying 300 messages over one upstream connection (strace -c): 111 system
// calls per message with two threads on one context (47 of them futex), 45 with one thread.
// With a context per thread a session's work stays on one thread, as Postfix's processes keep
// theirs. The price: a session whose handler blocks holds up the other sessions of its thread
// only (the others go on), where a shared context would let the idle thread take them.
// Limits: `threads` contexts (the daemon's threads setting, bounded where it is read).
// Untrusted input: none.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace postseal::net {

class SessionThreads {
 public:
  // SessionThreads - `threads` contexts (at least 1); no thread runs until start().
  explicit SessionThreads(int threads);
  // ~SessionThreads - stop() and wait for the threads; sessions still open are destroyed
  // with their contexts.
  ~SessionThreads();
  SessionThreads(const SessionThreads&) = delete;
  SessionThreads& operator=(const SessionThreads&) = delete;

  // start - one thread per context (after privileges were dropped).
  void start();
  // next - the executor for a new session: the contexts in turn.
  asio::any_io_executor next();
  // stop - the contexts stop at once (what runs, runs to its next suspension) and the threads
  // end; called when the daemon's drain is over.
  void stop();

 private:
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace postseal::net
