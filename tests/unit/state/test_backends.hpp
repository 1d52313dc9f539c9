// test_backends.hpp - the stores the state tests run against: "memory" and "sqlite" (a temp
// file) on a FixedClock, "redis" on the server POSTSEAL_TEST_REDIS names (host:port; absent:
// the redis runs are skipped - tests/integration/state_redis.sh starts one and sets it).
#pragma once

#include "core/state/memory_store.hpp"
#include "core/state/redis_store.hpp"
#include "core/state/sqlite_store.hpp"
#include "core/util/clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace postseal::state::test {

inline constexpr std::int64_t kStart = 1'700'000'000;

// TempDir - a fresh directory under /tmp, removed (only it) at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "postseal-state-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// redis_from_env - the server POSTSEAL_TEST_REDIS names, or nullopt.
inline std::optional<RedisAddress> redis_from_env() {
  const char* env = std::getenv("POSTSEAL_TEST_REDIS");
  if (!env || !*env) return std::nullopt;
  return parse_redis_address(env);
}

// unique_prefix - a key prefix no other run uses (tests share one server).
inline std::string unique_prefix(std::string_view what) {
  static std::atomic<int> n{0};
  return "pstest:" + std::to_string(::getpid()) + ":" + std::to_string(n++) + ":" +
         std::string(what) + ":";
}

// Backend - one store under test and how to move its time.
struct Backend {
  FixedClock clock{kStart};
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<Store> store;
  bool real_time = false;  // redis: advance sleeps

  static std::unique_ptr<Backend> make(std::string_view kind, std::size_t max_entries,
                                       std::string_view what) {
    auto b = std::make_unique<Backend>();
    if (kind == "memory") {
      b->store = std::make_unique<MemoryStore>(b->clock, max_entries);
    } else if (kind == "sqlite") {
      b->dir = std::make_unique<TempDir>();
      b->store = std::make_unique<SqliteStore>((b->dir->path() / "state.db").string(), b->clock,
                                               max_entries, 200);
    } else {
      auto address = redis_from_env();
      if (!address) return nullptr;
      RedisOptions options;
      options.address = *address;
      options.key_prefix = unique_prefix(what);
      options.timeout_ms = 2000;
      b->store = std::make_unique<RedisStore>(options);
      b->real_time = true;
    }
    return b;
  }
};

}  // namespace postseal::state::test
