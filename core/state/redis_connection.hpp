// redis_connection.hpp - one hiredis connection of RedisStore: connect (AUTH, SELECT) with a
// deadline, one command at a time, every failure mapped to a StoreError.
//
// Internal to RedisStore (see redis_store.hpp for the rules). Untrusted input: the server's
// replies (hiredis parses RESP; a protocol error is bad_reply). A transport failure (refused,
// closed, reset, timed out, garbage) frees the context, so a late reply can never be read as
// the answer to the next command. Limits: the deadline of each command.
#pragma once

#include "core/state/redis_store.hpp"
#include "core/state/store.hpp"

#include <hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

namespace postseal::state {

using Deadline = std::chrono::steady_clock::time_point;

struct ReplyFree {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

// RedisHealth - shared by a store's connections: when connecting may be tried again, and a
// generation bumped on every failure (connections made before it are dropped, so a restarted
// server's stale sockets are not tried one by one).
struct RedisHealth {
  std::atomic<std::int64_t> retry_after_ms{0};
  std::atomic<std::uint64_t> generation{0};
};

// RedisConnection - one context and the mutex its user holds.
class RedisConnection {
 public:
  RedisConnection(const RedisOptions& options, RedisHealth& health)
      : options_(options), health_(health) {}
  ~RedisConnection() { close(); }
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // command - run one command before `deadline` (connecting first when needed): the reply,
  // which may be an error reply (the caller decides), or the transport's StoreError.
  Result<Reply> command(std::span<const std::string_view> args, Deadline deadline);
  // pipeline - several commands sent together, their replies in order (MULTI ... EXEC).
  Result<std::vector<Reply>> pipeline(std::span<const std::vector<std::string_view>> commands,
                                      Deadline deadline);

  std::mutex mutex;

 private:
  Result<void> ensure(Deadline deadline);
  Result<Reply> send(std::span<const std::string_view> args, Deadline deadline);
  Result<void> arm(Deadline deadline);
  Result<void> append(std::span<const std::string_view> args);
  Result<Reply> receive();
  Result<void> handshake(Deadline deadline);
  StoreError fail(StoreError e);
  void close();

  const RedisOptions& options_;
  RedisHealth& health_;
  redisContext* ctx_ = nullptr;
  std::uint64_t generation_ = 0;
  std::int64_t armed_ms_ = -1;  // the socket timeout set now
};

// now_ms - steady-clock milliseconds.
std::int64_t now_ms();

}  // namespace postseal::state
