// store.hpp - the state store every postseal feature that keeps state uses (greylisting,
// DMARC aggregate report rows, key rotation): string keys, small string values, an expiry
// per entry, atomic first-writer-wins and counters, so several MX hosts sharing one Redis
// decide the same. Backends: memory (tests, `state.backend = "memory"`), SQLite (default,
// one file under /var/lib/postseal) and Redis (`state.redis`), see store_factory.hpp.
//
// Every operation returns a value or a StoreError; none throws once the store is open. A
// caller that cannot reach its store fails open (greylisting answers DUNNO) and never defers
// mail because of it. Untrusted input: keys and values are built by postseal from request
// attributes already bounded by their parsers; the store still refuses a key longer than
// kMaxKeyOctets (or empty) or a value longer than kMaxValueOctets (StoreError::bad_input).
// Limits: kMaxKeyOctets, kMaxValueOctets, kMaxScanEntries, kMaxTtlSeconds; the entry count
// of the embedded backends is bounded by state.max_entries (oldest expiry evicted first, then
// the oldest entry without expiry); Redis is bounded by its own maxmemory policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postseal::state {

inline constexpr std::size_t kMaxKeyOctets = 512;
inline constexpr std::size_t kMaxValueOctets = 4096;
inline constexpr std::size_t kMaxScanEntries = 100000;
// kMaxTtlSeconds - a longer TTL is clamped to this (ten years; no overflow in Redis's PX).
inline constexpr std::int64_t kMaxTtlSeconds = 10LL * 366 * 86400;

// StoreError - why an operation gave no answer.
enum class StoreError {
  unavailable,  // cannot connect / connection lost / file unusable: fail open
  timeout,      // no answer within state.timeout_ms: fail open
  bad_reply,    // the backend answered something we did not expect (Redis garbage)
  bad_input,    // key or value over the limits; increment of a non-counter or overflow
};
std::string_view to_string(StoreError e);

template <typename T>
using Result = std::expected<T, StoreError>;

// Entry - one key's value and its absolute expiry (seconds since the epoch; 0 = none).
struct Entry {
  std::string value;
  std::int64_t expires = 0;
};

// Claim - what put_if_absent_or_get did: `set` when this call wrote the value; otherwise the
// live value it found (nullopt when that entry went, expired or erased, between the two).
struct Claim {
  bool set = false;
  std::optional<std::string> existing;
};

// Store - one open store. Thread-safe: every method may be called from any io thread.
// `ttl_seconds` is relative to the store's clock (the caller's injected Clock for memory and
// SQLite; Redis's own for Redis, which is why callers store their own timestamps in values).
// ttl_seconds <= 0 means no expiry.
class Store {
 public:
  virtual ~Store() = default;

  // get - the value of `key`, or nullopt if absent or expired.
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  // put - set `key` to `value` (replacing any), expiring after ttl_seconds.
  virtual Result<void> put(std::string_view key, std::string_view value, std::int64_t ttl_seconds) = 0;
  // put_if_absent - set only if absent or expired; true if this call set it (first writer
  // wins across hosts: Redis SET NX, SQLite an upsert that only takes over an expired row).
  virtual Result<bool> put_if_absent(std::string_view key, std::string_view value,
                                     std::int64_t ttl_seconds) = 0;
  // put_if_absent_or_get - put_if_absent, and when the key is there its value, in one call
  // (the greylister's first question, one round trip: Redis SET NX GET, SQLite one
  // transaction). The default runs put_if_absent, then get.
  virtual Result<Claim> put_if_absent_or_get(std::string_view key, std::string_view value,
                                             std::int64_t ttl_seconds);
  // put_if_absent_or_get_batched / put_batched - the same, but the backend may answer before
  // the write reaches what other processes read (SQLite's group commit, sqlite_store.hpp):
  // this process sees it at once; a crash may lose the last few ms of them, and two
  // processes claiming one key in the same instant may both be told `set` (the first write
  // to reach the file stays). Only for writes whose loss costs a retry, never a wrong
  // answer: greylist triplets. Claims that must stay unique (key rotation, report sending)
  // use the calls above. The defaults are those calls (memory, Redis).
  virtual Result<Claim> put_if_absent_or_get_batched(std::string_view key, std::string_view value,
                                                     std::int64_t ttl_seconds) {
    return put_if_absent_or_get(key, value, ttl_seconds);
  }
  virtual Result<void> put_batched(std::string_view key, std::string_view value,
                                   std::int64_t ttl_seconds) {
    return put(key, value, ttl_seconds);
  }
  // increment - add `by` to the integer value of `key` (absent = 0) and return the new
  // value; the expiry is set to ttl_seconds from now. A value that is not a canonical decimal
  // integer ("12", "-3"; not "+1", "01", " 1"), or a sum overflowing int64, is bad_input.
  virtual Result<std::int64_t> increment(std::string_view key, std::int64_t by, std::int64_t ttl_seconds) = 0;
  // erase - remove `key`; true if it was there (and not expired).
  virtual Result<bool> erase(std::string_view key) = 0;
  // scan - every live key starting with `prefix` with its value, at most `limit`
  // (clamped to kMaxScanEntries), in no particular order.
  virtual Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view prefix,
                                                                        std::size_t limit) = 0;
  // count - live entries starting with `prefix` (the admin's stats).
  virtual Result<std::size_t> count(std::string_view prefix) = 0;
  // expire - drop expired entries now (the embedded backends also do it as they go);
  // returns how many went (Redis expires by itself: always 0).
  virtual Result<std::size_t> expire() = 0;
  // name - "memory", "sqlite:/var/lib/postseal/state.db", "redis:127.0.0.1:6379" for logs.
  virtual std::string name() const = 0;
};

}  // namespace postseal::state
