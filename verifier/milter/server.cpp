// server.cpp - the milter listener, worker pool and per-connection read/write loop (see
// server.hpp, docs/milter-protocol.md).
#include "verifier/milter/server.hpp"

#include "core/metrics/events.hpp"
#include "core/util/log.hpp"
#include "verifier/milter/dialog.hpp"

#include <asio/post.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace postseal::milter {
namespace {

// kMaxBufferOctets - the read buffer's bound: one whole frame plus one read's room.
constexpr std::size_t kMaxBufferOctets =
    protocol::kLengthOctets + protocol::kMaxPacketOctets + kReadOctets;

// prepare - blocking I/O with `timeout` on both directions.
void prepare(int fd, std::chrono::seconds timeout) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0 && (flags & O_NONBLOCK) != 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// write_all - every octet of `out`; false on error or timeout.
bool write_all(int fd, std::string_view out) {
  while (!out.empty()) {
    const ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// ReadBuffer - octets read and not yet taken as frames.
class ReadBuffer {
 public:
  ReadBuffer() : data_(kInitialReadOctets) {}
  std::string_view pending() const { return {data_.data() + begin_, end_ - begin_}; }
  void consume(std::size_t n) { begin_ += n; }
  // fill - one read() after the pending octets; false at EOF, error or timeout.
  bool fill(int fd) {
    make_room();
    for (;;) {
      const ssize_t n = ::recv(fd, data_.data() + end_, data_.size() - end_, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      end_ += static_cast<std::size_t>(n);
      return true;
    }
  }

 private:
  // make_room - the pending octets moved to the front; the buffer doubled (to its bound) when
  // it is full, i.e. when the frame being read does not fit yet.
  void make_room() {
    if (begin_ > 0) {
      std::memmove(data_.data(), data_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == data_.size() && data_.size() < kMaxBufferOctets)
      data_.resize(std::min(kMaxBufferOctets, data_.size() * 2));
  }

  std::vector<char> data_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

// serve_frames - every whole frame in `in` handed to the dialog, replies appended to `out`;
// false when the connection is to end.
bool serve_frames(ReadBuffer& in, Dialog& dialog, std::string& out) {
  for (;;) {
    auto r = protocol::next_frame(in.pending());
    if (r.error) return false;
    if (!r.frame) return true;
    const auto next = dialog.handle(*r.frame, out);
    in.consume(r.consumed);
    if (next == Dialog::Next::close) return false;
  }
}

}  // namespace

void serve_connection(int fd, const Callbacks& callbacks, std::chrono::seconds timeout) {
  // The listener counts an accept and its hand-off here; the session is counted while served.
  metrics::session_started("milter");
  prepare(fd, timeout);
  try {
    Dialog dialog(callbacks);
    ReadBuffer in;
    std::string out;
    for (;;) {
      const bool go_on = serve_frames(in, dialog, out);
      if (!out.empty() && !write_all(fd, out)) break;
      out.clear();
      if (!go_on || !in.fill(fd)) break;
    }
    dialog.finish();
  } catch (const std::exception& e) {  // the callbacks catch their own; this is the rest's
    log::error("milter: connection ended by internal error: {}", e.what());
  }
  ::close(fd);
  metrics::session_ended("milter");
}

WorkerPool::WorkerPool(const Callbacks& callbacks, std::chrono::seconds timeout,
                       std::size_t max_threads)
    : callbacks_(callbacks), timeout_(timeout), max_threads_(max_threads) {}

void WorkerPool::start() {
  std::lock_guard lock(mutex_);
  while (threads_ < std::min(kPrestartedWorkers, max_threads_)) spawn();
}

void WorkerPool::spawn() {
  ++threads_;
  ++idle_;
  std::thread([this] { work(); }).detach();  // the pool lives as long as the process
}

bool WorkerPool::submit(int fd) {
  {
    std::lock_guard lock(mutex_);
    const std::size_t busy = threads_ - idle_ + queue_.size();
    if (busy >= max_threads_) {
      ::close(fd);
      return false;
    }
    queue_.push_back(fd);
    if (queue_.size() > idle_ && threads_ < max_threads_) spawn();
  }
  ready_.notify_one();
  return true;
}

void WorkerPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ready_.wait(lock, [this] { return !queue_.empty(); });
    const int fd = queue_.front();
    queue_.pop_front();
    --idle_;
    lock.unlock();
    serve_connection(fd, callbacks_, timeout_);
    lock.lock();
    if (idle_ >= kMaxIdleWorkers) {
      --threads_;
      return;
    }
    ++idle_;
  }
}

Server::Server(const Callbacks& callbacks, std::chrono::seconds timeout,
               std::size_t max_connections)
    : pool_(callbacks, timeout, max_connections + kRefusalHeadroom),
      listener_(accept_io_, "milter", max_connections + kRefusalHeadroom,
                [this](net::Socket socket) {
                  std::error_code ec;
                  const int fd = socket.release(ec);
                  if (!ec) pool_.submit(fd);
                  return []() -> asio::awaitable<void> { co_return; }();
                }) {}

void Server::listen(const net::Endpoint& endpoint, const net::SocketOptions* unix_options) {
  listener_.listen(endpoint, unix_options);
}

void Server::run() {
  pool_.start();
  listener_.start();
  auto work = asio::make_work_guard(accept_io_);
  accept_io_.run();
}

void Server::stop() {
  asio::post(accept_io_, [this] {
    listener_.stop();
    accept_io_.stop();
  });
}

}  // namespace postseal::milter
