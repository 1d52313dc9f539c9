// deadline.hpp - a watchdog that closes a socket when time runs out.
//
// Per-command and whole-session deadlines: a session creates a Deadline for its socket and
// resets it before each read; when the timer fires, the socket is closed, so the pending read
// or write fails with operation_aborted and the session ends through its normal error path.
// The timer uses the socket's executor (the connection's strand), so it never races the
// session. Destroying the Deadline disarms it. reset() is cheap (a clock read) when it moves
// the due time forward: the armed timer, on firing early, waits on for the rest.
// With a `grace` (SMTP sessions), expiry first only cancels the pending operations, so the
// session can still write "421 ... timeout" to a client that is listening; the socket is
// closed `grace` later in any case, so a client that reads nothing cannot hold it open.
#pragma once

#include "core/net/server.hpp"

#include <asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace postseal::net {

class Deadline {
 public:
  using Duration = std::chrono::steady_clock::duration;
  Deadline(Socket& socket, Duration d, Duration grace = Duration::zero());
  ~Deadline();
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // reset - start counting `d` again from now.
  void reset(Duration d);
  // expired - whether the deadline fired (and closed the socket).
  bool expired() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
  void arm();  // wait until state_->due
  void close_after(Duration grace);
};

}  // namespace postseal::net
