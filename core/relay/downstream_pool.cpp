// downstream_pool.cpp - parked downstream connections with an idle limit (see the header).
#include "core/relay/downstream_pool.hpp"

#include <asio/steady_timer.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

namespace postseal::relay {
namespace {

// say_goodbye - end a parked connection politely without waiting: QUIT if the socket takes it
// at once, then close.
void say_goodbye(int fd) {
  constexpr std::string_view quit = "QUIT\r\n";
  (void)::send(fd, quit.data(), quit.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  ::close(fd);
}

struct Entry {
  std::uint64_t id = 0;
  std::string key;
  smtp::Client::Detached connection;
};

}  // namespace

struct DownstreamPool::State {
  mutable std::mutex mutex;
  std::vector<Entry> entries;  // oldest first
  std::uint64_t next_id = 0;
  bool closed = false;

  ~State() {
    for (auto& e : entries) say_goodbye(e.connection.fd);
  }

  // expire - close entry `id` if it is still parked.
  void expire(std::uint64_t id) {
    int fd = -1;
    {
      std::lock_guard lock(mutex);
      auto it = std::find_if(entries.begin(), entries.end(), [id](const Entry& e) { return e.id == id; });
      if (it == entries.end()) return;
      fd = it->connection.fd;
      entries.erase(it);
    }
    say_goodbye(fd);
  }
};

DownstreamPool::DownstreamPool() : state_(std::make_shared<State>()) {}

bool DownstreamPool::park(asio::any_io_executor executor, std::string key, smtp::Client::Detached connection,
                          std::chrono::seconds idle, std::size_t max_idle) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->closed && idle.count() > 0 && state_->entries.size() < max_idle) {
      id = ++state_->next_id;
      state_->entries.push_back(Entry{id, std::move(key), std::move(connection)});
    }
  }
  if (id == 0) {
    say_goodbye(connection.fd);
    return false;
  }
  auto timer = std::make_shared<asio::steady_timer>(executor, idle);
  timer->async_wait([state = state_, id, timer](const std::error_code&) { state->expire(id); });
  return true;
}

std::optional<smtp::Client::Detached> DownstreamPool::take(std::string_view key) {
  std::lock_guard lock(state_->mutex);
  auto& entries = state_->entries;
  auto it = std::find_if(entries.rbegin(), entries.rend(), [key](const Entry& e) { return e.key == key; });
  if (it == entries.rend()) return std::nullopt;
  smtp::Client::Detached taken = std::move(it->connection);
  entries.erase(std::next(it).base());
  return taken;
}

void DownstreamPool::close_all() {
  std::vector<Entry> closing;
  {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
    closing.swap(state_->entries);
  }
  for (auto& e : closing) say_goodbye(e.connection.fd);
}

std::size_t DownstreamPool::size() const {
  std::lock_guard lock(state_->mutex);
  return state_->entries.size();
}

}  // namespace postseal::relay
