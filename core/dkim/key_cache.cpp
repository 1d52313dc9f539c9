// key_cache.cpp - bounded LRU of parsed key records (see key_cache.hpp).
#include "core/dkim/key_cache.hpp"

#include <algorithm>

namespace postseal::dkim {

KeyCache::KeyCache(std::size_t capacity)
    : capacity_(std::clamp<std::size_t>(capacity, 1, kMaxKeyCacheEntries)) {}

std::shared_ptr<const ParsedKey> KeyCache::get(std::string_view text) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(text); it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->parsed;
    }
  }
  auto parsed = std::make_shared<const ParsedKey>(parse_key_record(text));
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(text); it != index_.end()) return it->second->parsed;
  ++parses_;
  order_.push_front(Entry{std::string(text), parsed});
  index_.emplace(order_.front().text, order_.begin());
  while (order_.size() > capacity_) {
    index_.erase(order_.back().text);
    order_.pop_back();
  }
  return parsed;
}

std::size_t KeyCache::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

std::size_t KeyCache::parses() const {
  std::lock_guard lock(mutex_);
  return parses_;
}

KeyCache& KeyCache::shared() {
  static KeyCache cache;
  return cache;
}

}  // namespace postseal::dkim
