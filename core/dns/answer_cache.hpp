// answer_cache.hpp - DNS answers reused for their TTL, in front of the resolver.
//
// A CachingResolver answers a repeated lookup from memory without asking the resolver behind
// it (libunbound, whose own cache still costs a query round trip through its async API).
// Key: the name lower-cased without its final dot, and the type (RFC 4343: names compare
// case-insensitively). What is kept, for min(Answer::ttl, max_ttl) seconds by the injected
// Clock (RFC 1035 3.2.1, 7.4): positive answers (ttl = the smallest TTL of the answer
// section, CNAMEs included) and negative ones, NXDOMAIN and NODATA (RFC 2308 5: the SOA's
// MINIMUM / TTL, see unbound_resolver.hpp). Not kept: SERVFAIL and timeouts (RFC 2308 7.1
// allows caching them up to 5 minutes; we do not at all, so a retry asks DNS again), answers
// with TTL 0, answers larger than kMaxCachedAnswerOctets. A hit answers with the TTL left.
// Untrusted input: DNS answers (names and record data from the network); limits: at most
// max_entries entries (least recently used dropped when full) of at most
// kMaxCachedAnswerOctets each, so memory is bounded whatever the answers hold.
// Thread-safe (one mutex around the table): one CachingResolver may be shared by io threads.
// Concurrent identical misses are not coalesced: each asks the resolver behind.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/util/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postseal::dns {

// kDefaultCacheEntries - answers kept by default (dns.cache_entries).
inline constexpr std::int64_t kDefaultCacheEntries = 10000;
// kMaxCacheEntries - upper bound of dns.cache_entries.
inline constexpr std::int64_t kMaxCacheEntries = 1000000;
// kDefaultCacheMaxTtl - seconds an answer is kept at most, whatever its TTL (dns.cache_max_ttl).
inline constexpr std::int64_t kDefaultCacheMaxTtl = 3600;
// kMaxCacheMaxTtl - upper bound of dns.cache_max_ttl (one day).
inline constexpr std::int64_t kMaxCacheMaxTtl = 86400;
// kMaxCachedAnswerOctets - an answer whose records hold more than this is not kept.
inline constexpr std::size_t kMaxCachedAnswerOctets = 8192;

struct AnswerCacheOptions {
  std::int64_t max_entries = kDefaultCacheEntries;  // 0: nothing is kept
  std::int64_t max_ttl = kDefaultCacheMaxTtl;       // seconds; 0: nothing is kept
};

// answer_octets - the approximate memory an answer's records hold (for kMaxCachedAnswerOctets).
std::size_t answer_octets(const Answer& answer);

// AnswerCache - the table: (name, type) -> answer until it expires. Thread-safe.
class AnswerCache {
 public:
  AnswerCache(const Clock& clock, AnswerCacheOptions options);

  // find - the kept answer with the TTL that is left, or nullopt (absent or expired).
  std::optional<Answer> find(std::string_view name, RrType type);
  // store - keep `answer` if it may be kept (see the file comment); replaces an older one.
  void store(std::string_view name, RrType type, const Answer& answer);

  std::size_t size() const;
  std::uint64_t hits() const;
  std::uint64_t misses() const;
  // key - lower-cased name without its final dot, a space, the type number.
  static std::string key(std::string_view name, RrType type);

 private:
  struct Entry {
    std::string key;
    std::int64_t expires = 0;  // first second at which the entry is no longer used
    Answer answer;
  };
  using Order = std::list<Entry>;  // least recently used first

  void erase_locked(Order::iterator it);

  const Clock& clock_;
  AnswerCacheOptions options_;
  mutable std::mutex mutex_;
  Order order_;
  std::unordered_map<std::string, Order::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

// CachingResolver - a Resolver that asks `inner` only for answers it does not hold.
class CachingResolver final : public Resolver {
 public:
  CachingResolver(std::unique_ptr<Resolver> inner, const Clock& clock, AnswerCacheOptions options);

  asio::awaitable<Answer> lookup(std::string name, RrType type) override;

  const AnswerCache& cache() const { return cache_; }
  Resolver& inner() { return *inner_; }

 private:
  std::unique_ptr<Resolver> inner_;
  AnswerCache cache_;
};

}  // namespace postseal::dns
