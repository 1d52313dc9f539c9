// options_test.cpp - the [state] keys: defaults, each value accepted, bad values a StartupError
// naming the key; open_store gives the backend asked for.
#include "core/state/options.hpp"
#include "core/state/store_factory.hpp"
#include "core/util/config.hpp"
#include "core/util/errors.hpp"
#include "test_backends.hpp"

#include <gtest/gtest.h>

namespace postseal::state {
namespace {

Options parse(std::string_view text) {
  config::declare(config_keys());
  return settings_from_config(config::File::parse(text, "test.toml"));
}

std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const StartupError& e) {
    EXPECT_EQ(e.code(), kExitConfig);
    return e.what();
  }
  return "";
}

TEST(StateOptions, Defaults) {
  Options o = parse("");
  EXPECT_EQ(o.backend, Backend::sqlite);
  EXPECT_EQ(o.path, "/var/lib/postseal/state.db");
  EXPECT_EQ(o.redis.host, "127.0.0.1");
  EXPECT_EQ(o.redis.port, 6379);
  EXPECT_EQ(o.redis_password, "");
  EXPECT_EQ(o.redis_database, 0);
  EXPECT_EQ(o.key_prefix, "postseal:");
  EXPECT_EQ(o.timeout_ms, 200);
  EXPECT_EQ(o.max_entries, 1000000u);
}

TEST(StateOptions, Values) {
  Options o = parse(
      "[state]\nbackend = \"redis\"\nredis = \"[::1]:6380\"\nredis_password = \"s3cret\"\n"
      "redis_database = 3\nkey_prefix = \"mx:\"\ntimeout_ms = 50\nmax_entries = 10\n");
  EXPECT_EQ(o.backend, Backend::redis);
  EXPECT_EQ(o.redis.host, "::1");
  EXPECT_EQ(o.redis.port, 6380);
  EXPECT_EQ(o.redis_password, "s3cret");
  EXPECT_EQ(o.redis_database, 3);
  EXPECT_EQ(o.key_prefix, "mx:");
  EXPECT_EQ(o.timeout_ms, 50);
  EXPECT_EQ(o.max_entries, 10u);
  EXPECT_EQ(parse("[state]\nredis = \"unix:/run/redis/redis.sock\"\n").redis.unix_path,
            "/run/redis/redis.sock");
  EXPECT_EQ(parse("[state]\nbackend = \"memory\"\n").backend, Backend::memory);
}

TEST(StateOptions, BadValuesNameTheKey) {
  struct {
    const char* text;
    const char* key;
  } cases[] = {
      {"[state]\nbackend = \"mysql\"\n", "state.backend"},
      {"[state]\nredis = \"localhost\"\n", "state.redis"},
      {"[state]\nredis = \"::1:6379\"\n", "state.redis"},
      {"[state]\nredis = \"host:0\"\n", "state.redis"},
      {"[state]\nredis = \"host:65536\"\n", "state.redis"},
      {"[state]\nredis = \"unix:relative\"\n", "state.redis"},
      {"[state]\ntimeout_ms = 0\n", "timeout_ms"},
      {"[state]\ntimeout_ms = 60001\n", "timeout_ms"},
      {"[state]\nmax_entries = 0\n", "max_entries"},
      {"[state]\nredis_database = -1\n", "redis_database"},
      {"[state]\nkey_prefix = \"a\\nb\"\n", "state.key_prefix"},
      {"[state]\npath = \"\"\n", "state.path"},
  };
  for (const auto& c : cases) {
    std::string error = error_of(c.text);
    EXPECT_NE(error.find(c.key), std::string::npos) << c.text << " -> " << error;
  }
}

TEST(StateOptions, OpenStoreGivesTheBackend) {
  FixedClock clock(test::kStart);
  test::TempDir dir;
  Options o;
  o.backend = Backend::memory;
  EXPECT_EQ(open_store(o, clock)->name(), "memory");
  o.backend = Backend::sqlite;
  o.path = (dir.path() / "s.db").string();
  EXPECT_EQ(open_store(o, clock)->name(), "sqlite:" + o.path);
  o.backend = Backend::redis;
  o.redis = {"::1", 6390, ""};
  EXPECT_EQ(open_store(o, clock)->name(), "redis:[::1]:6390");  // lazily: no connect yet
}

}  // namespace
}  // namespace postseal::state
