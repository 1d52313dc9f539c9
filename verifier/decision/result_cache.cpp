// result_cache.cpp - the SPF result cache (see result_cache.hpp).
#include "verifier/decision/result_cache.hpp"

#include "core/util/text.hpp"

namespace postseal::decision {

ResultCache::ResultCache(const Clock& clock, std::int64_t ttl_seconds, std::size_t max_entries)
    : clock_(clock), ttl_(ttl_seconds), max_entries_(max_entries) {}

std::string ResultCache::key(std::string_view identity, const spf::SpfQuery& query) {
  std::string k(identity);
  k += '|';
  k += spf::normalize_ip(query.ip).to_string();
  k += '|';
  k += to_lower(query.domain);
  k += '|';
  k += to_lower(query.sender);
  k += '|';
  k += to_lower(query.helo);
  return k;
}

std::optional<spf::SpfOutcome> ResultCache::find(const std::string& key) {
  if (ttl_ <= 0 || max_entries_ == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end() || it->second->expires <= clock_.now()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second->outcome;
}

void ResultCache::store(const std::string& key, const spf::SpfOutcome& outcome) {
  if (ttl_ <= 0 || max_entries_ == 0 || outcome.result == spf::SpfResult::temperror) return;
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  if (auto it = index_.find(key); it != index_.end()) {
    order_.erase(it->second);
    index_.erase(it);
  }
  if (order_.size() >= max_entries_) sweep_locked(now);
  while (order_.size() >= max_entries_) {
    index_.erase(order_.front().key);
    order_.pop_front();
  }
  order_.push_back(Entry{key, now + ttl_, outcome});
  index_[key] = std::prev(order_.end());
}

void ResultCache::sweep_locked(std::int64_t now) {
  // Entries are stored in time order with one TTL, so expired ones are at the front.
  while (!order_.empty() && order_.front().expires <= now) {
    index_.erase(order_.front().key);
    order_.pop_front();
  }
}

std::size_t ResultCache::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace postseal::decision
