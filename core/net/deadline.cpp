// deadline.cpp - socket watchdog timer (see deadline.hpp).
#include "core/net/deadline.hpp"

namespace postseal::net {

struct Deadline::State {
  Socket* socket = nullptr;
  bool expired = false;
  Duration grace = Duration::zero();
};

Deadline::Deadline(Socket& socket, Duration d, Duration grace)
    : state_(std::make_shared<State>()), timer_(socket.get_executor()) {
  state_->socket = &socket;
  state_->grace = grace;
  arm(d);
}

Deadline::~Deadline() {
  state_->socket = nullptr;
  timer_.cancel();
}

void Deadline::reset(Duration d) {
  if (state_->expired) return;  // expired for good: the grace timer closes the socket
  timer_.cancel();
  arm(d);
}

bool Deadline::expired() const { return state_->expired; }

void Deadline::arm(Duration d) {
  timer_.expires_after(d);
  timer_.async_wait([this, state = state_](const std::error_code& ec) {
    if (ec || state->socket == nullptr) return;
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
