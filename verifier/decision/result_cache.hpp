// result_cache.hpp - SPF results reused for a while (like smf-spf's cache).
//
// Key: identity, client IP, checked domain, sender and HELO (everything check_host() reads),
// lower-cased. Entries expire `ttl` seconds after they were stored, by the injected Clock.
// temperror results are never stored (a retry must ask DNS again). Limits: at most
// `max_entries` entries; when full, expired entries are swept and, if still full, the oldest
// entry is dropped. Thread-safe (one mutex), so io threads may share one cache.
#pragma once

#include "core/util/clock.hpp"
#include "verifier/spf/spf.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace postseal::decision {

class ResultCache {
 public:
  ResultCache(const Clock& clock, std::int64_t ttl_seconds, std::size_t max_entries);

  // key - the cache key of one query and identity ("helo" or "mfrom").
  static std::string key(std::string_view identity, const spf::SpfQuery& query);

  std::optional<spf::SpfOutcome> find(const std::string& key);
  void store(const std::string& key, const spf::SpfOutcome& outcome);

  std::size_t size() const;
  std::uint64_t hits() const { return hits_; }
  std::uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    std::string key;
    std::int64_t expires = 0;
    spf::SpfOutcome outcome;
  };
  void sweep_locked(std::int64_t now);

  const Clock& clock_;
  std::int64_t ttl_;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // oldest first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace postseal::decision
