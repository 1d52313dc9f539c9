// answer_cache.cpp - the DNS answer cache and the CachingResolver (see answer_cache.hpp).
#include "core/dns/answer_cache.hpp"

#include "core/util/text.hpp"

#include <algorithm>

namespace postseal::dns {

std::size_t answer_octets(const Answer& answer) {
  std::size_t total = 0;
  for (const auto& r : answer.records) {
    total += sizeof(Record) + r.name.size();
    for (const auto& s : r.strings) total += sizeof(std::string) + s.size();
  }
  return total;
}

AnswerCache::AnswerCache(const Clock& clock, AnswerCacheOptions options)
    : clock_(clock), options_(options) {}

std::string AnswerCache::key(std::string_view name, RrType type) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string k = to_lower(name);
  k += ' ';
  k += std::to_string(static_cast<unsigned>(type));
  return k;
}

std::optional<Answer> AnswerCache::find(std::string_view name, RrType type) {
  if (options_.max_entries <= 0 || options_.max_ttl <= 0) return std::nullopt;
  const std::string k = key(name, type);
  const std::int64_t now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = index_.find(k);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  if (it->second->expires <= now) {
    erase_locked(it->second);
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  order_.splice(order_.end(), order_, it->second);  // most recently used last
  Answer out = it->second->answer;
  out.ttl = static_cast<std::uint32_t>(it->second->expires - now);
  return out;
}

void AnswerCache::store(std::string_view name, RrType type, const Answer& answer) {
  if (options_.max_entries <= 0 || answer.temporary()) return;
  const std::int64_t ttl = std::min<std::int64_t>(answer.ttl, options_.max_ttl);
  if (ttl <= 0 || answer_octets(answer) > kMaxCachedAnswerOctets) return;
  std::string k = key(name, type);
  const std::int64_t now = clock_.now();
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(k); it != index_.end()) erase_locked(it->second);
  while (order_.size() >= static_cast<std::size_t>(options_.max_entries)) {
    erase_locked(order_.begin());
  }
  order_.push_back(Entry{k, now + ttl, answer});
  index_.emplace(std::move(k), std::prev(order_.end()));
}

void AnswerCache::erase_locked(Order::iterator it) {
  index_.erase(it->key);
  order_.erase(it);
}

std::size_t AnswerCache::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

std::uint64_t AnswerCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t AnswerCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

CachingResolver::CachingResolver(std::unique_ptr<Resolver> inner, const Clock& clock,
                                 AnswerCacheOptions options)
    : inner_(std::move(inner)), cache_(clock, options) {}

asio::awaitable<Answer> CachingResolver::lookup(std::string name, RrType type) {
  if (auto hit = cache_.find(name, type)) co_return std::move(*hit);
  Answer answer = co_await inner_->lookup(name, type);
  cache_.store(name, type, answer);
  co_return answer;
}

}  // namespace postseal::dns
