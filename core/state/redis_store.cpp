// redis_store.cpp - RedisStore (see redis_store.hpp).
#include "core/state/redis_store.hpp"

#include "core/state/checks.hpp"
#include "core/state/redis_connection.hpp"

#include <charconv>
#include <csignal>
#include <unordered_set>

namespace postseal::state {

// Lease - one connection held for one operation; giving it back wakes a waiting caller.
class RedisStore::Lease {
 public:
  Lease(RedisStore& store, RedisConnection& c, std::unique_lock<std::mutex> lock)
      : store_(store), c_(c), lock_(std::move(lock)) {}
  Lease(Lease&& other) noexcept
      : store_(other.store_), c_(other.c_), lock_(std::move(other.lock_)) {}
  ~Lease() {
    if (!lock_.owns_lock()) return;
    lock_.unlock();
    store_.released();
  }
  RedisConnection* operator->() { return &c_; }

 private:
  RedisStore& store_;
  RedisConnection& c_;
  std::unique_lock<std::mutex> lock_;
};

namespace {

std::string_view text(const redisReply* r) { return {r->str, r->len}; }

std::string ttl_ms(std::int64_t ttl_seconds) {
  return std::to_string(std::min(ttl_seconds, kMaxTtlSeconds) * 1000);
}

// glob_escape - `prefix` as a literal in a SCAN MATCH pattern.
std::string glob_escape(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// scan_page - a SCAN reply's cursor and keys, or bad_reply.
struct ScanPage {
  std::string cursor;
  std::vector<std::string_view> keys;
};

Result<ScanPage> scan_page(const redisReply* r) {
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 2)
    return std::unexpected(StoreError::bad_reply);
  const redisReply* cursor = r->element[0];
  const redisReply* keys = r->element[1];
  if (cursor->type != REDIS_REPLY_STRING || keys->type != REDIS_REPLY_ARRAY) {
    return std::unexpected(StoreError::bad_reply);
  }
  ScanPage page{std::string(text(cursor)), {}};
  for (std::size_t i = 0; i < keys->elements; ++i) {
    if (keys->element[i]->type != REDIS_REPLY_STRING) return std::unexpected(StoreError::bad_reply);
    page.keys.push_back(text(keys->element[i]));
  }
  return page;
}

}  // namespace

std::optional<RedisAddress> parse_redis_address(std::string_view t) {
  RedisAddress a;
  if (t.starts_with("unix:")) {
    a.unix_path = std::string(t.substr(5));
    if (a.unix_path.empty() || a.unix_path.front() != '/' || a.unix_path.size() > 107) {
      return std::nullopt;
    }
    return a;
  }
  std::size_t colon = t.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = t.substr(0, colon), port = t.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 address needs brackets
  }
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (ec != std::errc{} || end != port.data() + port.size() || a.port < 1 || a.port > 65535) {
    return std::nullopt;
  }
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/') return std::nullopt;
  }
  a.host = std::string(host);
  return a;
}

RedisStore::RedisStore(RedisOptions options) : options_(std::move(options)) {
  // A server gone mid-write must be an error code, not the process's death (the daemons
  // ignore SIGPIPE too: core/net/daemon.cpp); a handler someone installed is left alone.
  struct sigaction old {};
  if (::sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  health_ = std::make_unique<RedisHealth>();
  for (std::size_t i = 0; i < kConnections; ++i) {
    connections_.push_back(std::make_unique<RedisConnection>(options_, *health_));
  }
}

RedisStore::~RedisStore() = default;

std::string RedisStore::name() const {
  const RedisAddress& a = options_.address;
  if (!a.unix_path.empty()) return "redis:unix:" + a.unix_path;
  bool v6 = a.host.find(':') != std::string::npos;
  return "redis:" + (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

// try_lease - a free connection, or nullopt.
std::optional<RedisStore::Lease> RedisStore::try_lease() {
  std::size_t start = next_.fetch_add(1);
  for (std::size_t i = 0; i < connections_.size(); ++i) {
    RedisConnection& c = *connections_[(start + i) % connections_.size()];
    std::unique_lock lock(c.mutex, std::try_to_lock);
    if (lock.owns_lock()) return Lease(*this, c, std::move(lock));
  }
  return std::nullopt;
}

// lease - a free connection, waiting for one until `deadline` (then nullopt: a timeout). A
// caller never queues behind one particular connection that may be stuck in a timeout.
std::optional<RedisStore::Lease> RedisStore::lease(std::chrono::steady_clock::time_point deadline) {
  if (auto got = try_lease()) return got;
  std::unique_lock pool(pool_mutex_);
  waiters_.fetch_add(1);
  struct Leave {
    std::atomic<int>& waiters;
    ~Leave() { waiters.fetch_sub(1); }
  } leave{waiters_};
  for (;;) {
    if (auto got = try_lease()) return got;
    if (pool_freed_.wait_until(pool, deadline) == std::cv_status::timeout) return try_lease();
  }
}

// released - a connection was given back: wake one waiting caller, if any.
void RedisStore::released() {
  if (waiters_.load() == 0) return;
  std::lock_guard pool(pool_mutex_);
  pool_freed_.notify_one();
}

std::chrono::steady_clock::time_point RedisStore::deadline() const {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
}

Result<Reply> RedisStore::call(std::span<const std::string_view> args) {
  auto until = deadline();
  auto c = lease(until);
  if (!c) return std::unexpected(StoreError::timeout);
  return (*c)->command(args, until);
}

Result<std::optional<std::string>> RedisStore::get(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::string k = options_.key_prefix + std::string(key);
  std::string_view args[] = {"GET", k};
  auto r = call(args);
  if (!r) return std::unexpected(r.error());
  if ((*r)->type == REDIS_REPLY_NIL) return std::optional<std::string>();
  if ((*r)->type == REDIS_REPLY_STRING) return std::optional<std::string>(text(r->get()));
  return std::unexpected(StoreError::bad_reply);
}

Result<void> RedisStore::put(std::string_view key, std::string_view value,
                             std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return ok;
  if (auto ok = check_value(value); !ok) return ok;
  std::string k = options_.key_prefix + std::string(key), ms = ttl_ms(ttl_seconds);
  std::string_view args[] = {"SET", k, value, "PX", ms};
  auto r = call(std::span(args, ttl_seconds > 0 ? 5 : 3));
  if (!r) return std::unexpected(r.error());
  if ((*r)->type != REDIS_REPLY_STATUS || text(r->get()) != "OK") {
    return std::unexpected(StoreError::bad_reply);
  }
  return {};
}

Result<bool> RedisStore::put_if_absent(std::string_view key, std::string_view value,
                                       std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::string k = options_.key_prefix + std::string(key), ms = ttl_ms(ttl_seconds);
  std::string_view args[] = {"SET", k, value, "NX", "PX", ms};
  auto r = call(std::span(args, ttl_seconds > 0 ? 6 : 4));
  if (!r) return std::unexpected(r.error());
  if ((*r)->type == REDIS_REPLY_NIL) return false;
  if ((*r)->type == REDIS_REPLY_STATUS && text(r->get()) == "OK") return true;
  return std::unexpected(StoreError::bad_reply);
}

Result<Claim> RedisStore::put_if_absent_or_get(std::string_view key, std::string_view value,
                                               std::int64_t ttl_seconds) {
  if (no_set_nx_get_.load(std::memory_order_relaxed)) {
    return Store::put_if_absent_or_get(key, value, ttl_seconds);
  }
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  if (auto ok = check_value(value); !ok) return std::unexpected(ok.error());
  std::string k = options_.key_prefix + std::string(key), ms = ttl_ms(ttl_seconds);
  std::string_view args[] = {"SET", k, value, "NX", "GET", "PX", ms};
  auto r = call(std::span(args, ttl_seconds > 0 ? 7 : 5));
  if (!r) return std::unexpected(r.error());
  if ((*r)->type == REDIS_REPLY_NIL) return Claim{true, std::nullopt};
  if ((*r)->type == REDIS_REPLY_STRING) return Claim{false, std::string(text(r->get()))};
  if ((*r)->type == REDIS_REPLY_ERROR && text(r->get()).find("syntax error") != std::string_view::npos) {
    no_set_nx_get_.store(true, std::memory_order_relaxed);  // Redis before 7.0
    return Store::put_if_absent_or_get(key, value, ttl_seconds);
  }
  return std::unexpected(StoreError::bad_reply);
}

// increment - MULTI, INCRBY, PEXPIRE or PERSIST, EXEC in one round trip: exact 64-bit
// arithmetic (a Lua script would pass the sum through a double).
Result<std::int64_t> RedisStore::increment(std::string_view key, std::int64_t by,
                                           std::int64_t ttl_seconds) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::string k = options_.key_prefix + std::string(key), amount = std::to_string(by);
  std::string ms = ttl_ms(ttl_seconds);
  std::vector<std::string_view> expiry{"PEXPIRE", k, ms};
  if (ttl_seconds <= 0) expiry = {"PERSIST", k};
  const std::vector<std::string_view> commands[] = {
      {"MULTI"}, {"INCRBY", k, amount}, expiry, {"EXEC"}};
  auto replies = [&]() -> Result<std::vector<Reply>> {
    auto until = deadline();
    auto c = lease(until);
    if (!c) return std::unexpected(StoreError::timeout);
    return (*c)->pipeline(commands, until);
  }();
  if (!replies) return std::unexpected(replies.error());
  const redisReply* exec = (*replies)[3].get();
  if (exec->type != REDIS_REPLY_ARRAY || exec->elements != 2) {
    return std::unexpected(StoreError::bad_reply);
  }
  const redisReply* sum = exec->element[0];
  if (sum->type == REDIS_REPLY_INTEGER) return static_cast<std::int64_t>(sum->integer);
  if (sum->type == REDIS_REPLY_ERROR) {
    std::string_view e = text(sum);
    if (e.find("not an integer") != e.npos || e.find("overflow") != e.npos) {
      return std::unexpected(StoreError::bad_input);
    }
  }
  return std::unexpected(StoreError::bad_reply);
}

Result<bool> RedisStore::erase(std::string_view key) {
  if (auto ok = check_key(key); !ok) return std::unexpected(ok.error());
  std::string k = options_.key_prefix + std::string(key);
  std::string_view args[] = {"DEL", k};
  auto r = call(args);
  if (!r) return std::unexpected(r.error());
  if ((*r)->type != REDIS_REPLY_INTEGER) return std::unexpected(StoreError::bad_reply);
  return (*r)->integer > 0;
}

// walk - SCAN MATCH prefix* page by page, each page handed to `page` (false: stop).
Result<void> RedisStore::walk(std::string_view prefix,
                              const std::function<Result<bool>(const ScanKeys&)>& page) {
  std::string pattern = glob_escape(options_.key_prefix + std::string(prefix)) + "*";
  std::string batch = std::to_string(kScanBatch), cursor = "0";
  for (std::size_t round = 0; round < kMaxScanRounds; ++round) {
    std::string_view args[] = {"SCAN", cursor, "MATCH", pattern, "COUNT", batch};
    auto r = call(args);
    if (!r) return std::unexpected(r.error());
    auto p = scan_page(r->get());
    if (!p) return std::unexpected(p.error());
    auto more = page(p->keys);
    if (!more) return std::unexpected(more.error());
    if (!*more || p->cursor == "0") return {};
    cursor = p->cursor;
  }
  return {};
}

Result<std::vector<std::pair<std::string, std::string>>> RedisStore::scan(std::string_view prefix,
                                                                          std::size_t limit) {
  if (auto ok = check_prefix(prefix); !ok) return std::unexpected(ok.error());
  limit = std::min(limit, kMaxScanEntries);
  std::vector<std::pair<std::string, std::string>> out;
  std::unordered_set<std::string> seen;  // SCAN may return a key twice
  auto take = [&](const ScanKeys& keys) -> Result<bool> {
    if (out.size() >= limit) return false;
    if (keys.empty()) return true;
    std::vector<std::string_view> args{"MGET"};
    args.insert(args.end(), keys.begin(), keys.end());
    auto r = call(args);
    if (!r) return std::unexpected(r.error());
    if ((*r)->type != REDIS_REPLY_ARRAY || (*r)->elements != keys.size()) {
      return std::unexpected(StoreError::bad_reply);
    }
    for (std::size_t i = 0; i < keys.size() && out.size() < limit; ++i) {
      const redisReply* v = (*r)->element[i];
      if (v->type != REDIS_REPLY_STRING) continue;  // expired since, or not a string
      if (!keys[i].starts_with(options_.key_prefix)) continue;
      std::string key(keys[i].substr(options_.key_prefix.size()));
      if (seen.insert(key).second) out.emplace_back(std::move(key), std::string(text(v)));
    }
    return out.size() < limit;
  };
  if (auto done = walk(prefix, take); !done) return std::unexpected(done.error());
  return out;
}

Result<std::size_t> RedisStore::count(std::string_view prefix) {
  if (auto ok = check_prefix(prefix); !ok) return std::unexpected(ok.error());
  std::size_t n = 0;
  auto add = [&](const ScanKeys& keys) -> Result<bool> {
    for (std::string_view k : keys) n += k.starts_with(options_.key_prefix) ? 1 : 0;
    return true;
  };
  if (auto done = walk(prefix, add); !done) return std::unexpected(done.error());
  return n;
}

}  // namespace postseal::state
