// memory_store.hpp - the in-process Store: tests, and `state.backend = "memory"` (state lost
// on restart, not shared between processes or hosts).
//
// A mutex-guarded ordered map (prefix scans walk a range) plus an index by expiry, so
// expire() and eviction take the oldest first. Expiry is checked against the injected Clock:
// an entry written at t with ttl expires at t + ttl (absent from then on). Untrusted input:
// keys and values (checked against store.hpp's limits). Limits (docs/security.md 51): at
// most `max_entries` entries: when an insert goes over, expired entries are dropped, then
// the entry with the oldest expiry (entries without expiry last, oldest insert first) - the
// rule SqliteStore follows too, so both answer alike.
#pragma once

#include "core/state/store.hpp"
#include "core/util/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace postseal::state {

// MemoryStore - see above; `clock` must outlive the store.
class MemoryStore final : public Store {
 public:
  MemoryStore(const Clock& clock, std::size_t max_entries);

  Result<std::optional<std::string>> get(std::string_view key) override;
  Result<void> put(std::string_view key, std::string_view value, std::int64_t ttl_seconds) override;
  Result<bool> put_if_absent(std::string_view key, std::string_view value,
                             std::int64_t ttl_seconds) override;
  Result<std::int64_t> increment(std::string_view key, std::int64_t by,
                                 std::int64_t ttl_seconds) override;
  Result<bool> erase(std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view prefix,
                                                                std::size_t limit) override;
  Result<std::size_t> count(std::string_view prefix) override;
  Result<std::size_t> expire() override;
  std::string name() const override { return "memory"; }

 private:
  // Order - eviction order: expiry (none = last), then insertion sequence.
  using Order = std::pair<std::int64_t, std::uint64_t>;
  struct Item {
    std::string value;
    std::int64_t expires = 0;
    Order order;
  };
  using Map = std::map<std::string, Item, std::less<>>;

  const Item* live(std::string_view key, std::int64_t now) const;
  void store(std::string_view key, std::string_view value, std::int64_t expires);
  void remove(Map::iterator it);
  std::size_t drop_expired(std::int64_t now);
  void enforce_bound(std::int64_t now);

  const Clock& clock_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  Map items_;
  std::map<Order, std::string> by_expiry_;
  std::uint64_t sequence_ = 0;
};

}  // namespace postseal::state
