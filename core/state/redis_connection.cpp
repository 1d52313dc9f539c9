// redis_connection.cpp - RedisConnection (see redis_connection.hpp).
#include "core/state/redis_connection.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace postseal::state {
namespace {

std::int64_t remaining_ms(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count();
}

timeval to_timeval(std::int64_t ms) {
  if (ms < 1) ms = 1;
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

// transport_error - what a failed context means. hiredis keeps errno for I/O errors: a
// socket timeout (SO_RCVTIMEO) leaves EAGAIN, a connect timeout ETIMEDOUT.
StoreError transport_error(const redisContext* c, int saved_errno) {
  switch (c->err) {
    case REDIS_ERR_PROTOCOL: return StoreError::bad_reply;
    case REDIS_ERR_IO:
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT ||
          saved_errno == EINPROGRESS) {
        return StoreError::timeout;
      }
      if (std::strstr(c->errstr, "timed out") || std::strstr(c->errstr, "temporarily")) {
        return StoreError::timeout;
      }
      return StoreError::unavailable;
    default: return StoreError::unavailable;
  }
}

bool is_ok_status(const redisReply* r) {
  return r && r->type == REDIS_REPLY_STATUS && std::string_view(r->str, r->len) == "OK";
}

}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void RedisConnection::close() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
  armed_ms_ = -1;
}

// fail - drop the connection, pause connecting for everyone, and make the others reconnect.
StoreError RedisConnection::fail(StoreError e) {
  close();
  health_.retry_after_ms.store(now_ms() + kReconnectPause.count());
  health_.generation.fetch_add(1);
  return e;
}

Result<void> RedisConnection::ensure(Deadline deadline) {
  if (ctx_ && generation_ == health_.generation.load()) return {};
  close();
  if (now_ms() < health_.retry_after_ms.load()) return std::unexpected(StoreError::unavailable);
  generation_ = health_.generation.load();
  timeval tv = to_timeval(remaining_ms(deadline));
  const RedisAddress& a = options_.address;
  errno = 0;
  ctx_ = a.unix_path.empty() ? redisConnectWithTimeout(a.host.c_str(), a.port, tv)
                             : redisConnectUnixWithTimeout(a.unix_path.c_str(), tv);
  int saved = errno;
  if (!ctx_) return std::unexpected(fail(StoreError::unavailable));
  if (ctx_->err) return std::unexpected(fail(transport_error(ctx_, saved)));
  return handshake(deadline);
}

// handshake - AUTH and SELECT when configured; a refusal is bad_reply (and a pause).
Result<void> RedisConnection::handshake(Deadline deadline) {
  std::string database = std::to_string(options_.database);
  if (!options_.password.empty()) {
    std::string_view args[] = {"AUTH", options_.password};
    auto reply = send(args, deadline);
    if (!reply) return std::unexpected(reply.error());
    if (!is_ok_status(reply->get())) return std::unexpected(fail(StoreError::bad_reply));
  }
  if (options_.database != 0) {
    std::string_view args[] = {"SELECT", database};
    auto reply = send(args, deadline);
    if (!reply) return std::unexpected(reply.error());
    if (!is_ok_status(reply->get())) return std::unexpected(fail(StoreError::bad_reply));
  }
  return {};
}

// arm - the socket timeout set to what is left before `deadline`. Re-armed only when the
// budget differs by more than 1 ms (after a connect, or the first command after one): a
// healthy connection makes no extra system call.
Result<void> RedisConnection::arm(Deadline deadline) {
  std::int64_t left = remaining_ms(deadline);
  if (left < 1) return std::unexpected(fail(StoreError::timeout));
  if (armed_ms_ < 0 || left + 1 < armed_ms_ || left > armed_ms_ + 1) {
    if (redisSetTimeout(ctx_, to_timeval(left)) != REDIS_OK) {
      return std::unexpected(fail(StoreError::unavailable));
    }
    armed_ms_ = left;
  }
  return {};
}

// append - one command into the output buffer (binary-safe arguments).
Result<void> RedisConnection::append(std::span<const std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lengths.data()) !=
      REDIS_OK) {
    return std::unexpected(fail(StoreError::unavailable));
  }
  return {};
}

// receive - the next reply (flushing what was appended first).
Result<Reply> RedisConnection::receive() {
  void* raw = nullptr;
  errno = 0;
  int rc = redisGetReply(ctx_, &raw);
  int saved = errno;
  if (rc != REDIS_OK || !raw) return std::unexpected(fail(transport_error(ctx_, saved)));
  return Reply(static_cast<redisReply*>(raw));
}

Result<Reply> RedisConnection::send(std::span<const std::string_view> args, Deadline deadline) {
  if (auto armed = arm(deadline); !armed) return std::unexpected(armed.error());
  if (auto appended = append(args); !appended) return std::unexpected(appended.error());
  return receive();
}

Result<std::vector<Reply>> RedisConnection::pipeline(
    std::span<const std::vector<std::string_view>> commands, Deadline deadline) {
  if (auto ready = ensure(deadline); !ready) return std::unexpected(ready.error());
  if (auto armed = arm(deadline); !armed) return std::unexpected(armed.error());
  for (const auto& args : commands) {
    if (auto appended = append(args); !appended) return std::unexpected(appended.error());
  }
  std::vector<Reply> replies;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto reply = receive();
    if (!reply) return std::unexpected(reply.error());
    replies.push_back(std::move(*reply));
  }
  return replies;
}

Result<Reply> RedisConnection::command(std::span<const std::string_view> args, Deadline deadline) {
  if (auto ready = ensure(deadline); !ready) return std::unexpected(ready.error());
  return send(args, deadline);
}

}  // namespace postseal::state
