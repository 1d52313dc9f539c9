// options.hpp - the [state] config keys: which store greylisting and DMARC reports share.
//
// Keys: state.backend ("sqlite" | "redis" | "memory"), state.path (the SQLite file),
// state.redis ("host:port", "[v6]:port" or "unix:/path"), state.redis_password,
// state.redis_database, state.key_prefix (Redis keys), state.timeout_ms (per operation:
// Redis commands, SQLite's busy wait), state.max_entries (the embedded backends' bound).
// Untrusted input: the config file (local admin): a bad value is a StartupError (exit 78)
// naming the key. Limits: timeout_ms 1..60000, max_entries 1..1000000000, redis_database
// 0..10000, key_prefix at most kMaxKeyPrefixOctets printable octets.
#pragma once

#include "core/state/redis_store.hpp"
#include "core/state/sqlite_store.hpp"

#include <cstddef>
#include <span>
#include <string>

namespace postseal::config {
struct Key;
class File;
}  // namespace postseal::config

namespace postseal::state {

enum class Backend { sqlite, redis, memory };

// Options - everything [state] says.
struct Options {
  Backend backend = Backend::sqlite;
  std::string path{kDefaultSqlitePath};
  RedisAddress redis{"127.0.0.1", 6379, ""};
  std::string redis_password;
  int redis_database = 0;
  std::string key_prefix = "postseal:";
  int timeout_ms = 200;
  std::size_t max_entries = 1000000;
};

// settings_from_config - the [state] keys of `file`; throws StartupError (kExitConfig).
Options settings_from_config(const config::File& file);

// config_keys - the [state] declarations (listed in cli/config_keys.cpp).
std::span<const config::Key> config_keys();

}  // namespace postseal::state
