// redis_store.hpp - the shared Store: a Redis server (state.redis) every MX host uses, so all
// of them decide alike (hiredis, RESP2).
//
// Keys are stored as KEY_PREFIX + key (state.key_prefix, default "postseal:"); put_if_absent
// is SET NX PX (first writer wins across hosts), put_if_absent_or_get SET NX GET PX (one
// round trip; a server before 7.0 answers a syntax error, and from then on SET NX, then GET), increment is MULTI INCRBY PEXPIRE|PERSIST
// EXEC in one round trip (exact 64-bit: a Lua script would pass it through a double),
// scan/count walk SCAN MATCH prefix* (the prefix's glob characters escaped). Expiry runs on
// REDIS's clock, not the injected Clock (callers that compare times keep their own
// timestamps in values); expire() is a no-op, and max_entries does not apply (Redis's
// maxmemory policy bounds it).
// Failures are values and cost little (docs/security.md 50): every command has a deadline of
// state.timeout_ms (connect, AUTH and SELECT included; socket timeouts via redisSetTimeout), a
// connection that failed or timed out is dropped, and after a failed connect no new connect is
// tried for kReconnectPause (then one caller tries, the others still answer at once): calls in
// between return unavailable at once, so a Redis that is down costs callers nothing. A host
// name in state.redis is resolved at each connect (getaddrinfo, not bounded by timeout_ms):
// give an address. Mapping: refused, reset, closed -> unavailable; no answer within the
// deadline -> timeout; an error reply, a reply of the wrong type or garbage (a protocol
// error) -> bad_reply (increment of a non-integer -> bad_input, as the other backends).
// Untrusted input: the server's replies (hiredis parses RESP; every reply's type and size is
// checked here) and keys/values (store.hpp limits; sent as binary-safe arguments). Limits:
// kConnections connections; scan and count make at most kMaxScanRounds SCAN calls of
// kScanBatch keys each, each call with its own deadline; count may include a key twice if
// Redis rehashes during the walk (SCAN's guarantee).
#pragma once

#include "core/state/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct redisReply;

namespace postseal::state {

inline constexpr std::chrono::milliseconds kReconnectPause{1000};
inline constexpr std::size_t kConnections = 4;
inline constexpr std::size_t kMaxScanRounds = 100000;
inline constexpr std::size_t kScanBatch = 1000;
inline constexpr std::size_t kMaxKeyPrefixOctets = 128;

// RedisAddress - where the server is: host and port, or a unix socket path.
struct RedisAddress {
  std::string host;
  int port = 0;
  std::string unix_path;  // set: a unix socket ("unix:/run/redis/redis.sock")
};

// parse_redis_address - "host:port", "[v6]:port", "unix:/path"; nullopt when malformed.
std::optional<RedisAddress> parse_redis_address(std::string_view text);

// RedisOptions - the state.* keys RedisStore uses.
struct RedisOptions {
  RedisAddress address{"127.0.0.1", 6379, ""};
  std::string password;  // AUTH when not empty
  int database = 0;      // SELECT when not 0
  std::string key_prefix = "postseal:";
  int timeout_ms = 200;
};

class RedisConnection;
struct RedisHealth;
struct ReplyFree;

// RedisStore - see above. Connects lazily: constructing it never blocks or fails.
class RedisStore final : public Store {
 public:
  explicit RedisStore(RedisOptions options);
  ~RedisStore() override;

  Result<std::optional<std::string>> get(std::string_view key) override;
  Result<void> put(std::string_view key, std::string_view value, std::int64_t ttl_seconds) override;
  Result<bool> put_if_absent(std::string_view key, std::string_view value,
                             std::int64_t ttl_seconds) override;
  Result<Claim> put_if_absent_or_get(std::string_view key, std::string_view value,
                                     std::int64_t ttl_seconds) override;
  Result<std::int64_t> increment(std::string_view key, std::int64_t by,
                                 std::int64_t ttl_seconds) override;
  Result<bool> erase(std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> scan(std::string_view prefix,
                                                                std::size_t limit) override;
  Result<std::size_t> count(std::string_view prefix) override;
  Result<std::size_t> expire() override { return 0; }
  std::string name() const override;

 private:
  class Lease;
  using ScanKeys = std::vector<std::string_view>;
  std::optional<Lease> try_lease();
  std::optional<Lease> lease(std::chrono::steady_clock::time_point deadline);
  void released();
  std::chrono::steady_clock::time_point deadline() const;
  // call - one command with a deadline of timeout_ms on a leased connection.
  Result<std::unique_ptr<redisReply, ReplyFree>> call(std::span<const std::string_view> args);
  Result<void> walk(std::string_view prefix,
                    const std::function<Result<bool>(const ScanKeys&)>& page);

  const RedisOptions options_;
  std::unique_ptr<RedisHealth> health_;
  std::vector<std::unique_ptr<RedisConnection>> connections_;
  std::atomic<std::size_t> next_{0};
  std::mutex pool_mutex_;
  std::condition_variable pool_freed_;
  std::atomic<int> waiters_{0};
  std::atomic<bool> no_set_nx_get_{false};  // the server refused SET NX GET (before 7.0)
};

}  // namespace postseal::state
