// deadline.cpp - socket watchdog timer (see deadline.hpp).
#include "core/net/deadline.hpp"

namespace postseal::net {

struct Deadline::State {
  Socket* socket = nullptr;
  bool expired = false;
};

Deadline::Deadline(Socket& socket, Duration d)
    : state_(std::make_shared<State>()), timer_(socket.get_executor()) {
  state_->socket = &socket;
  arm(d);
}

Deadline::~Deadline() {
  state_->socket = nullptr;
  timer_.cancel();
}

void Deadline::reset(Duration d) {
  timer_.cancel();
  arm(d);
}

bool Deadline::expired() const { return state_->expired; }

void Deadline::arm(Duration d) {
  timer_.expires_after(d);
  timer_.async_wait([state = state_](const std::error_code& ec) {
    if (ec || state->socket == nullptr) return;
    state->expired = true;
    std::error_code ignored;
    state->socket->close(ignored);
  });
}

}  // namespace postseal::net
