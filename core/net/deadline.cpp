// deadline.cpp - socket watchdog timer (see deadline.hpp).
//
// reset() only moves the due time forward (a clock read) and leaves the armed timer alone; when
// the timer fires before the due time it is armed again for the rest. A policy connection
// resets before every request, so the timer is touched about once per idle period instead of
// twice per request (a cancel, whose handler runs, and an arm: a timerfd_settime each).
// A reset to a shorter time than the armed one re-arms at once.
#include "core/net/deadline.hpp"

namespace postseal::net {

struct Deadline::State {
  Socket* socket = nullptr;
  bool expired = false;
  Duration grace = Duration::zero();
  std::chrono::steady_clock::time_point due;
};

Deadline::Deadline(Socket& socket, Duration d, Duration grace)
    : state_(std::make_shared<State>()), timer_(socket.get_executor()) {
  state_->socket = &socket;
  state_->grace = grace;
  state_->due = std::chrono::steady_clock::now() + d;
  arm();
}

Deadline::~Deadline() {
  state_->socket = nullptr;
  timer_.cancel();
}

void Deadline::reset(Duration d) {
  if (state_->expired) return;  // expired for good: the grace timer closes the socket
  state_->due = std::chrono::steady_clock::now() + d;
  if (state_->due >= timer_.expiry()) return;  // the armed timer fires first and re-arms
  timer_.cancel();
  arm();
}

bool Deadline::expired() const { return state_->expired; }

void Deadline::arm() {
  timer_.expires_at(state_->due);
  timer_.async_wait([this, state = state_](const std::error_code& ec) {
    if (ec || state->socket == nullptr) return;
    if (std::chrono::steady_clock::now() < state->due) return arm();  // reset since: wait on
    state->expired = true;
    std::error_code ignored;
    if (state->grace == Duration::zero()) return (void)state->socket->close(ignored);
    state->socket->cancel(ignored);
    close_after(state->grace);
  });
}

void Deadline::close_after(Duration grace) {
  timer_.expires_after(grace);
  timer_.async_wait([state = state_](const std::error_code& ec) {
    if (ec || state->socket == nullptr) return;
    std::error_code ignored;
    state->socket->close(ignored);
  });
}

}  // namespace postseal::net
