// session_threads.cpp - SessionThreads (see session_threads.hpp).
#include "core/net/session_threads.hpp"

#include <algorithm>

namespace postseal::net {

SessionThreads::SessionThreads(int threads) {
  const auto n = static_cast<std::size_t>(std::max(threads, 1));
  for (std::size_t i = 0; i < n; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));  // one thread runs each
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
}

SessionThreads::~SessionThreads() {
  stop();
  // the sessions' coroutine frames go with their contexts, in the owner's thread
  contexts_.clear();
}

void SessionThreads::start() {
  for (auto& context : contexts_) threads_.emplace_back([&io = *context] { io.run(); });
}

asio::any_io_executor SessionThreads::next() {
  const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
  return contexts_[i]->get_executor();
}

void SessionThreads::stop() {
  guards_.clear();
  for (auto& context : contexts_) context->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

}  // namespace postseal::net
