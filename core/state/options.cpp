// options.cpp - [state] keys -> Options (see options.hpp).
#include "core/state/options.hpp"

#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "core/util/text.hpp"

#include <fmt/format.h>

namespace postseal::state {
namespace {

constexpr config::Key kKeys[] = {
    {"state.backend", config::Type::string, "\"sqlite\"", 0, 0,
     "where greylisting and DMARC report state is kept: \"sqlite\" (one file, this host), "
     "\"redis\" (shared by every MX host) or \"memory\" (lost on restart)"},
    {"state.path", config::Type::string, "\"/var/lib/postseal/state.db\"", 0, 0,
     "the SQLite file of backend = \"sqlite\" (its directory must be writable: WAL)"},
    {"state.redis", config::Type::string, "\"127.0.0.1:6379\"", 0, 0,
     "the Redis server of backend = \"redis\": \"host:port\", \"[ipv6]:port\" or "
     "\"unix:/path/to/socket\""},
    {"state.redis_password", config::Type::string, "\"\"", 0, 0,
     "sent with AUTH after connecting when not empty"},
    {"state.redis_database", config::Type::integer, "0", 0, 10000,
     "the Redis database number (SELECT)"},
    {"state.key_prefix", config::Type::string, "\"postseal:\"", 0, 0,
     "prefix of every Redis key postseal writes"},
    {"state.timeout_ms", config::Type::integer, "200", 1, 60000,
     "longest wait for one store operation (Redis connect and command, SQLite lock); past it "
     "the caller fails open"},
    {"state.max_entries", config::Type::integer, "1000000", 1, 1000000000,
     "most entries the sqlite and memory backends keep (oldest expiry evicted first)"},
};

Backend parse_backend(std::string_view value, const config::File& file) {
  if (value == "sqlite") return Backend::sqlite;
  if (value == "redis") return Backend::redis;
  if (value == "memory") return Backend::memory;
  throw config_error(
      fmt::format("{}: state.backend \"{}\": want \"sqlite\", \"redis\" or "
                  "\"memory\"",
                  file.where("state.backend"), printable(value)));
}

}  // namespace

Options settings_from_config(const config::File& file) {
  config::declare(kKeys);
  Options o;
  o.backend = parse_backend(file.string("state.backend"), file);
  o.path = file.string("state.path");
  if (o.path.empty() || has_control(o.path)) {
    throw config_error(fmt::format("{}: state.path: want a file name", file.where("state.path")));
  }
  std::string redis = file.string("state.redis");
  auto address = parse_redis_address(redis);
  if (!address) {
    throw config_error(
        fmt::format("{}: state.redis \"{}\": want \"host:port\", "
                    "\"[ipv6]:port\" or \"unix:/path\"",
                    file.where("state.redis"), printable(redis)));
  }
  o.redis = *address;
  o.redis_password = file.string("state.redis_password");
  o.redis_database = static_cast<int>(file.integer("state.redis_database"));
  o.key_prefix = file.string("state.key_prefix");
  if (o.key_prefix.size() > kMaxKeyPrefixOctets || has_control(o.key_prefix)) {
    throw config_error(
        fmt::format("{}: state.key_prefix: want at most {} octets, no control "
                    "characters",
                    file.where("state.key_prefix"), kMaxKeyPrefixOctets));
  }
  o.timeout_ms = static_cast<int>(file.integer("state.timeout_ms"));
  o.max_entries = static_cast<std::size_t>(file.integer("state.max_entries"));
  return o;
}

std::span<const config::Key> config_keys() { return kKeys; }

}  // namespace postseal::state
