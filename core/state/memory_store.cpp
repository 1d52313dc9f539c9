// memory_store.cpp - MemoryStore (see memory_store.hpp).
#include "core/state/memory_store.hpp"

#include "core/state/checks.hpp"

#include <algorithm>
#include <limits>

namespace postseal::state {
namespace {

// rank - where an entry expiring at `expires` goes in the eviction order.
std::int64_t rank(std::int64_t expires) {
  return expires == 0 ? std::numeric_limits<std::int64_t>::max() : expires;
}

bool has_prefix(std::string_view key, std::string_view prefix) {
  return key.substr(0, prefix.size()) == prefix;
}

}  // namespace

MemoryStore::MemoryStore(const Clock& clock, std::size_t max_entries)
    : clock_(clock), max_entries_(std::max<std::size_t>(max_entries, 1)) {}

const MemoryStore::Item* MemoryStore::live(std::string_view key, std::int64_t now) const {
  auto it = items_.find(key);
  if (it == items_.end() || !is_live(it->second.expires, now)) return nullptr;
  return &it->second;
}

void MemoryStore::store(std::string_view key, std::string_view value, std::int64_t expires) {
  auto it = items_.find(key);
  if (it == items_.end()) {
    it = items_.emplace(std::string(key), Item{}).first;
  } else {
    by_expiry_.erase(it->second.order);
  }
  it->second.value.assign(value);
  it->second.expires = expires;
  it->second.order = {rank(expires), sequence_++};
  by_expiry_.emplace(it->second.order, it->first);
}

void MemoryStore::remove(Map::iterator it) {
  by_expiry_.erase(it->second.order);
  items_.erase(it);
}

std::size_t MemoryStore::drop_expired(std::int64_t now) {
  std::size_t dropped = 0;
  while (!by_expiry_.empty() && by_expiry_.begin()->first.first <= now) {
    remove(items_.find(by_expiry_.begin()->second));
    ++dropped;
  }
  return dropped;
}

void MemoryStore::enforce_bound(std::int64_t now) {
  if (items_.size() <= max_entries_) return;
  drop_expired(now);
  while (items_.size() > max_entries_) remove(items_.find(by_expiry_.begin()->second));
}

Result<std::optional<std::string>> MemoryStore::get(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  const Item* item = live(key, clock_.now());
  if (!item) return std::optional<std::string>{};
  return std::optional<std::string>{item->value};
}

Result<void> MemoryStore::put(std::string_view key, std::string_view value,
                              std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return ok;
  if (auto ok = check_value(value); !ok) return ok;
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  store(key, value, expiry_at(now, ttl_seconds));
  enforce_bound(now);
  return {};
}

Result<bool> MemoryStore::put_if_absent(std::string_view key, std::string_view value,
                                        std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  if (live(key, now)) return false;
  store(key, value, expiry_at(now, ttl_seconds));
  enforce_bound(now);
  return true;
}

Result<std::int64_t> MemoryStore::increment(std::string_view key, std::int64_t by,
                                            std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  const Item* item = live(key, now);
  auto sum = add_counter(item ? std::optional<std::string_view>(item->value) : std::nullopt, by);
  if (!sum) return sum;
  store(key, std::to_string(*sum), expiry_at(now, ttl_seconds));
  enforce_bound(now);
  return sum;
}

Result<bool> MemoryStore::erase(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  auto it = items_.find(key);
  if (it == items_.end()) return false;
  bool was_live = is_live(it->second.expires, clock_.now());
  remove(it);
  return was_live;
}

Result<std::vector<std::pair<std::string, std::string>>> MemoryStore::scan(std::string_view prefix,
                                                                           std::size_t limit) {
  if (auto ok = check_prefix(prefix); !ok) return std::unexpected(ok.error());
  limit = std::min(limit, kMaxScanEntries);
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  for (auto it = items_.lower_bound(prefix);
       it != items_.end() && out.size() < limit && has_prefix(it->first, prefix); ++it) {
    if (is_live(it->second.expires, now)) out.emplace_back(it->first, it->second.value);
  }
  return out;
}

Result<std::size_t> MemoryStore::count(std::string_view prefix) {
  if (auto ok = check_prefix(prefix); !ok) return std::unexpected(ok.error());
  std::lock_guard lock(mutex_);
  std::int64_t now = clock_.now();
  std::size_t n = 0;
  for (auto it = items_.lower_bound(prefix); it != items_.end() && has_prefix(it->first, prefix);
       ++it) {
    if (is_live(it->second.expires, now)) ++n;
  }
  return n;
}

Result<std::size_t> MemoryStore::expire() {
  std::lock_guard lock(mutex_);
  return drop_expired(clock_.now());
}

}  // namespace postseal::state
