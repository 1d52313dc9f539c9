// store_factory.cpp - open_store (see store_factory.hpp).
#include "core/state/store_factory.hpp"

#include "core/state/counting_store.hpp"
#include "core/state/memory_store.hpp"
#include "core/state/redis_store.hpp"
#include "core/state/sqlite_store.hpp"

namespace postseal::state {

namespace {

// backend_label - the backend label of postseal_store_errors_total.
std::string backend_label(Backend backend) {
  switch (backend) {
    case Backend::sqlite: return "sqlite";
    case Backend::redis: return "redis";
    case Backend::memory: return "memory";
  }
  return "other";
}

// open_backend - the backend itself, uncounted.
std::unique_ptr<Store> open_backend(const Options& options, const Clock& clock) {
  switch (options.backend) {
    case Backend::memory: return std::make_unique<MemoryStore>(clock, options.max_entries);
    case Backend::sqlite:
      return std::make_unique<SqliteStore>(options.path, clock, options.max_entries,
                                           options.timeout_ms);
    case Backend::redis: {
      RedisOptions r;
      r.address = options.redis;
      r.password = options.redis_password;
      r.database = options.redis_database;
      r.key_prefix = options.key_prefix;
      r.timeout_ms = options.timeout_ms;
      return std::make_unique<RedisStore>(std::move(r));
    }
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<Store> open_store(const Options& options, const Clock& clock) {
  auto store = open_backend(options, clock);
  return std::make_unique<CountingStore>(std::move(store), backend_label(options.backend));
}

}  // namespace postseal::state
